from appeals_api.devstack.supervisor import main

raise SystemExit(main())
