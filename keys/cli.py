"""(being built)"""


def commands() -> list:
    return []
