"""The hostile-server suite: a fake HBR endpoint and a network that misbehave on purpose."""
