"""Client security settings for the interop scripts, shared by py_client.py and py_group.py.

The harness passes one JSON object, in the --security option or the KAFKA_INTEROP_SECURITY
environment variable:
  {"protocol": "SASL_SSL"|"SSL"|"SASL_PLAINTEXT"|"PLAINTEXT", "mechanism": "PLAIN"|"SCRAM-SHA-256"|...,
   "username": ..., "password": ..., "ca": PEM path, "cert": PEM path, "key": PEM path}
and each function turns it into the library's own configuration names.
"""
import json
import logging
import os
import sys


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
    if "SASL" in s["protocol"]:
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
    if "SASL" in s["protocol"]:
        conf.update({"sasl.mechanism": s["mechanism"], "sasl.username": s["username"], "sasl.password": s["password"]})
    if "SSL" in s["protocol"]:
        conf["ssl.ca.location"] = s.get("ca")
        conf["ssl.endpoint.identification.algorithm"] = "https"
        if s.get("cert"):
            conf.update({"ssl.certificate.location": s["cert"], "ssl.key.location": s["key"]})
    return conf
