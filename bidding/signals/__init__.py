"""Collusion signals (串通投标迹象): advice for supervisors, never a penalty by itself."""
