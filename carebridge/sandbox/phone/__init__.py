"""The phone simulator: a simulated WeChat user talking to an account through the sandbox."""
