"""The accounts domain: users, their passwords, and who follows whom.
Queries only; the apps' views and forms decide what to ask."""
