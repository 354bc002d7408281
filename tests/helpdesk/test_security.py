"""Secrets and throttles."""

from __future__ import annotations

from helpdesk import security


def test_kiosk_keys_are_long_random_and_stored_as_digests() -> None:
    a, b = security.new_kiosk_key(), security.new_kiosk_key()
    assert a != b and a.startswith("yk_") and len(a) >= 3 + 43  # 256 bits of randomness
    assert security.digest(a) == security.digest(a) and len(security.digest(a)) == 64
    assert security.same_secret(security.digest(a), security.digest(a))
    assert not security.same_secret(security.digest(a), security.digest(b))


def test_passwords_use_argon2() -> None:
    hashed = security.hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert security.verify_password(hashed, "correct horse battery staple")
    assert not security.verify_password(hashed, "wrong")
    assert not security.verify_password(None, "anything")
    assert security.check_password_strength("short") and security.check_password_strength("aaaaaaaaaaaaaa")
    assert security.check_password_strength("correct horse battery staple") is None


def test_token_bucket_limits_one_kiosk_without_touching_another() -> None:
    bucket = security.TokenBucket(rate=2.0, burst=3)
    assert [bucket.allow("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.allow("a", now=0.0) > 0
    assert bucket.allow("b", now=0.0) == 0.0
    assert bucket.allow("a", now=0.6) == 0.0  # refilled 1.2 tokens


def test_login_throttle_has_a_limit_per_key_and_tells_the_true_wait() -> None:
    throttle = security.LoginThrottle(window_s=60)
    limits = {"login:x": 3, "addr:1": 10}
    for t in range(3):
        assert throttle.wait_s(limits, now=float(t)) == 0.0
        throttle.failed("login:x", "addr:1", now=float(t))
    assert throttle.wait_s(limits, now=5.0) == 55.0  # the first failure leaves the window at 60
    assert throttle.wait_s({"login:other": 3, "addr:1": 10}, now=5.0) == 0.0  # the address has room
    for t in range(7):
        throttle.failed("login:y", "addr:1", now=10.0 + t)
    assert throttle.wait_s({"login:other": 3, "addr:1": 10}, now=20.0) == 40.0
    assert throttle.wait_s(limits, now=100.0) == 0.0
