"""What every writing verb shares: --dry-run, the ``(dry run)`` suffix, settling the cluster."""

from __future__ import annotations

from sim.kubectl.errors import api_text, fail, is_api_error


def dry_run_mode(value: str) -> str:
    """cmdutil.GetDryRunStrategy: "none", "client" or "server"."""
    if value in ("", "none", "false"):
        return "none"
    if value in ("client", "unchanged", "true"):
        return "client"
    if value == "server":
        return "server"
    raise fail(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')


def dry_run_suffix(mode: str) -> str:
    return {"client": " (dry run)", "server": " (server dry run)"}.get(mode, "")


def reconcile(ctx) -> None:
    fn = getattr(ctx.cluster, "reconcile", None)
    if callable(fn):
        fn()


def validation_directive(value: str) -> str:
    """cmdutil.GetValidationDirective: ``--validate`` as the API's fieldValidation."""
    lowered = value.lower()
    if lowered in ("1", "t", "true", "strict"):
        return "Strict"
    if lowered in ("0", "f", "false", "ignore"):
        return "Ignore"
    if lowered == "warn":
        return "Warn"
    raise fail(f'invalid - validate option "{value}"; must be one of: strict (or true), warn, '
               f"ignore (or false)")


def named_object(ctx, t, name: str, errors: list[str]) -> dict | None:
    """The object a command names, or None with the API's error added to ``errors``
    (commands that go on to their next object print every error at the end)."""
    try:
        return ctx.api.get(t.resource_ref, ctx.namespace, name)
    except Exception as e:
        if not is_api_error(e):
            raise
        errors.append(api_text(e))
        return None
