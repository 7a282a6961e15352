from discue_cli.entry import main

main()
