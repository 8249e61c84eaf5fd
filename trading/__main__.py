from trading.cli import main

main()
