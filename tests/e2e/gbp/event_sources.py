"""Seed 002's event source mappings (MOD-230, MOD-231) on the emulator: each runtime module's live
alias consumes the stream or queue its catalogue entry names, with its batch size, and a stream's
consumer bisects failing batches and sends what still fails to its on-failure queue.

Called by tests/e2e/35-live-global-platform.sh when MODULES were applied: check(c, env, cat).
Every expected value is read from the catalogue.
"""
import yaml

MODULES = ["MOD-201", "MOD-220", "MOD-230", "MOD-231"]


def _ok(cond, msg):
    if not cond:
        raise AssertionError(msg)


def _param(ssm, path):
    try:
        return ssm.get_parameter(Name=path)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        raise AssertionError(f"SSM contract {path} does not exist")


def check(c, env, cat):
    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    prefix = platform["ssm_convention"].split("/{service}")[0].replace("{env}", env)
    for e in platform["environments"]:
        if e["name"] == env and "event_sources" in (e.get("emulator") or {}).get("unserved_kinds", []):
            return "event source mappings not served by the emulator (unserved_kinds: a mapped stream's PutRecord fails)"
    lam, ssm = c("lambda"), c("ssm")
    n = 0
    for mod in ("MOD-230", "MOD-231"):
        module = yaml.safe_load((cat / f"modules/{mod}.yaml").read_text())
        alias = _param(ssm, f"{prefix}/lambda/{mod.lower()}/live-arn")
        function = alias.rsplit(":", 1)[0]
        mappings = lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
        mappings += [m for m in lam.list_event_source_mappings()["EventSourceMappings"]
                     if m.get("FunctionArn", "").startswith(function) and m not in mappings]
        for e in module.get("resources", {}).get("event_sources", []):
            n += 1
            if e.get("kinesis"):
                source = _param(ssm, f"{prefix}/kinesis/{e['kinesis']}/arn")
            else:
                source = _param(ssm, f"{prefix}/sqs/{e['queue']}/arn")
            got = [m for m in mappings if m.get("EventSourceArn") == source]
            _ok(len(got) == 1, f"{mod}: {len(got)} mappings of {source} to {function} (has {[m.get('EventSourceArn') for m in mappings]})")
            m = got[0]
            _ok(m.get("BatchSize") == e["batch_size"], f"{mod} {e['name']}: batch size {m.get('BatchSize')}, the catalogue says {e['batch_size']}")
            if e.get("kinesis"):
                _ok(m.get("BisectBatchOnFunctionError") is True, f"{mod} {e['name']}: no bisect on error ({m.get('BisectBatchOnFunctionError')})")
                dest = m.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                want = _param(ssm, f"{prefix}/sqs/{e['on_failure']}/arn")
                _ok(dest == want, f"{mod} {e['name']}: on-failure destination {dest}, not {want}")
                _ok(m.get("MaximumRetryAttempts") == e["maximum_retry_attempts"],
                    f"{mod} {e['name']}: {m.get('MaximumRetryAttempts')} retries, the catalogue says {e['maximum_retry_attempts']}")
    return f"{n} event source mappings (batch sizes, bisect on error, on-failure destination)"
