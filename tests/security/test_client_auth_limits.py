

def test_the_guard_groups_refuse_exactly_when_refused_by_does():
    """The cached-client code exchange checks the marks inside the code's take as groups
    (`throttle.refusing_groups`): for every combination of present marks, the same answer as the
    usual way's `throttle.refused_by`."""
    from itertools import product

    from idp.oidc import throttle

    keys = throttle.marks(client_id="portal", address="203.0.113.7")
    groups = throttle.refusing_groups(keys)
    for present in product((False, True), repeat=3):
        values = [b"1" if here else None for here in present]
        held = {key for key, here in zip(keys, present, strict=True) if here}
        assert any(all(key in held for key in group) for group in groups) == throttle.refused_by(values), present
