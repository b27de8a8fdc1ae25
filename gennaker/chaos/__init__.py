"""Chaos Monkey: opt-in, scheduled termination of instances of an application's server groups."""
