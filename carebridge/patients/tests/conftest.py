"""The patients app's personas (alice, her mother, bob) are the project's: see the root
conftest.py."""
