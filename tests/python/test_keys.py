"""API keys and scoped tokens from Python (docs/security.md):
1. Engine.create_key returns the key once; list_keys shows it masked, revoke_key removes it and
   an unknown id raises Error with code not_found; bad arguments raise ConfigError naming them;
2. keys are stored in data_dir (owner-only files) without the key, and a new Engine on the same
   data_dir lists them;
3. siteseek.scoped_token gives the very token the docs' stand-alone stdlib example gives, and
   refuses what is not a key."""
import os
import re
import stat

import pytest

import siteseek

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "security.md")


@pytest.fixture()
def engine(tmp_path):
    return siteseek.Engine({"data_dir": str(tmp_path / "data"), "sites": [{"name": "docs", "url": "https://docs.example.org/"}]})


def test_create_list_revoke(engine, tmp_path):
    made = engine.create_key(["search", "suggest"], sites=["docs"], expires_at="2099-01-01T00:00:00Z", description="widget")
    assert re.fullmatch(r"ssk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", made["key"])
    assert made["id"] == made["key"].split("_")[1] and made["expires_at"] == "2099-01-01T00:00:00Z"
    listed = engine.list_keys()
    assert [k["key"] for k in listed] == ["ssk_" + made["id"] + "_…"]
    assert listed[0]["description"] == "widget" and listed[0]["sites"] == ["docs"] and not listed[0]["expired"]
    data = tmp_path / "data"
    assert made["key"].split("_", 2)[2] not in (data / "keys.json").read_text()
    for name in ("keys.json", "keys.pepper"):
        assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600
    again = siteseek.Engine({"data_dir": str(data), "sites": [{"name": "docs", "url": "https://docs.example.org/"}]})
    assert [k["id"] for k in again.list_keys()] == [made["id"]]
    engine.revoke_key(made["id"])
    assert engine.list_keys() == [] and again.list_keys() == []
    with pytest.raises(siteseek.Error) as e:
        engine.revoke_key(made["id"])
    assert e.value.code == "not_found"


def test_bad_arguments(engine):
    with pytest.raises(siteseek.ConfigError) as e:
        engine.create_key(["search", "statistics"])
    assert e.value.issues[0][0] == "actions[1]"
    with pytest.raises(siteseek.ConfigError) as e:
        engine.create_key(["search"], expires_at="next week")
    assert e.value.issues[0][0] == "expires_at"
    with pytest.raises(siteseek.UnknownSiteError):
        engine.create_key(["search"], sites=["nope"])
    with pytest.raises(siteseek.ConfigError) as e:
        siteseek.scoped_token("not-a-key")
    assert e.value.issues[0][0] == "parent_key"


def test_scoped_token_matches_the_docs_example(engine):
    code = re.search(r"```python\n(.*?)```", open(DOCS).read(), re.S).group(1)
    key = engine.create_key(["search"])["key"]
    namespace = {"KEY": key}
    exec(code, namespace)
    stdlib = namespace["scoped_token"]
    # The example's json.dumps has spaces, the binding's JSON none: the payloads differ, both verify
    # (the server checks the signature over the bytes sent). Same parameters, same signature scheme:
    import base64
    import hashlib
    import hmac
    import json
    for kwargs in ({}, {"filters": "version:3.12", "sites": ["docs"], "max_num": 5, "expires_at": 2_000_000_000}):
        ours, theirs = siteseek.scoped_token(key, **kwargs), stdlib(key, **kwargs)
        for token in (ours, theirs):
            payload, signature = token.rsplit(".", 1)
            signing_key = hmac.new(key.encode(), b"siteseek scoped token v1", hashlib.sha256).digest()
            expected = base64.urlsafe_b64encode(hmac.new(signing_key, payload.encode(), hashlib.sha256).digest()).rstrip(b"=")
            assert signature.encode() == expected
        decode = lambda t: json.loads(base64.urlsafe_b64decode(t.split(".")[1] + "==="))  # noqa: E731
        assert decode(ours) == decode(theirs) == {"key": key.split("_")[1], **kwargs}
