"""Client security settings for the interop scripts, shared by py_client.py and py_group.py.

The harness passes one JSON object, in the --security option or the KAFKA_INTEROP_SECURITY
environment variable:
  {"protocol": "SASL_SSL"|"SSL"|"SASL_PLAINTEXT"|"PLAINTEXT", "mechanism": "PLAIN"|"SCRAM-SHA-256"|...,
   "username": ..., "password": ..., "ca": PEM path, "cert": PEM path, "key": PEM path}
and each function turns it into the library's own configuration names.
"""
import base64
import json
import logging
import os
import sys
import time


def unsecured_jwt(sub, lifetime_s=3600):
    """An unsigned (alg none) JWT, what Kafka's default OAUTHBEARER validator accepts."""
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
    now = int(time.time())
    return "%s.%s." % (enc({"alg": "none"}), enc({"sub": sub, "iat": now, "exp": now + lifetime_s}))


def spec(opts=None):
    raw = (opts or {}).get("--security") or os.environ.get("KAFKA_INTEROP_SECURITY")
    if not raw:
        return None
    s = json.loads(raw)
    # kafka-python reports authentication and TLS failures only through its log: make them visible.
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    return s


def kafka_python(s):
    if not s:
        return {}
    kw = {"security_protocol": s["protocol"]}
    if s.get("mechanism") == "OAUTHBEARER":
        from kafka.oauth.abstract import AbstractTokenProvider

        class Unsecured(AbstractTokenProvider):
            def token(self):
                return unsecured_jwt(s["username"], s.get("tokenLifetimeSeconds", 3600))
        kw.update(sasl_mechanism="OAUTHBEARER", sasl_oauth_token_provider=Unsecured())
    elif "SASL" in s["protocol"]:
        kw.update(sasl_mechanism=s["mechanism"], sasl_plain_username=s["username"], sasl_plain_password=s["password"])
    if "SSL" in s["protocol"]:
        kw.update(ssl_cafile=s.get("ca"), ssl_check_hostname=True)
        if s.get("cert"):
            kw.update(ssl_certfile=s["cert"], ssl_keyfile=s["key"])
    return kw


def confluent(s):
    if not s:
        return {}
    conf = {"security.protocol": s["protocol"].lower(), "error_cb": lambda err: print("client error: %s" % err, file=sys.stderr, flush=True)}
    if s.get("mechanism") == "OAUTHBEARER":
        # librdkafka's built-in unsecured JWT with the user as its subject.
        conf.update({"sasl.mechanism": "OAUTHBEARER", "enable.sasl.oauthbearer.unsecure.jwt": True, "sasl.oauthbearer.config": "principal=%s" % s["username"]})
    elif "SASL" in s["protocol"]:
        conf.update({"sasl.mechanism": s["mechanism"], "sasl.username": s["username"], "sasl.password": s["password"]})
    if "SSL" in s["protocol"]:
        conf["ssl.ca.location"] = s.get("ca")
        conf["ssl.endpoint.identification.algorithm"] = "https"
        if s.get("cert"):
            conf.update({"ssl.certificate.location": s["cert"], "ssl.key.location": s["key"]})
    return conf
