"""The platform core (公共资源交易平台): settings, database, auth, projects, announcements, audit.

Imports point one way: experts → bidding → funds → trading. This package never imports the
other three; only the composition root (`trading.app`, `trading.cli`) wires them together.
"""
