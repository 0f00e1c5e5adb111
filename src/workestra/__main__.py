from workestra.cli import main

main()
