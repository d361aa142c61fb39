# TEMP SHIM (not committed)
def get(i):
    if i is None:
        return None
    if callable(i):
        return i
    raise ValueError(i)
