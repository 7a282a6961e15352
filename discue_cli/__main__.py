from discue_cli.app import main

main()
