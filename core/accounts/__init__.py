"""People and permissions: accounts, sign-in, roles and the one policy that decides who may do what."""
