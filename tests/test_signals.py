"""Each signal's docstring names its real listeners: the ``Listeners:`` part equals the receivers connected
once the app is built (``create_app`` calls every domain's ``connect()``)."""

from __future__ import annotations

import re
import weakref

import pytest
from blinker import NamedSignal

from marketplace import signals

SIGNALS = {name: value for name, value in vars(signals).items() if isinstance(value, NamedSignal)}


def documented_listeners(doc: str) -> set[str]:
    """The ``module.function`` names of the docstring's ``Listeners:`` part (empty for ``Listeners: none.``)."""
    part = doc.partition("Listeners:")[2].strip()
    assert part, "the docstring has no 'Listeners:' part"
    if part == "none.":
        return set()
    names = set(re.findall(r"^- ``([\w.]+)``", part, flags=re.MULTILINE))
    assert names, f"'Listeners:' names no receiver and does not say 'none.': {part!r}"
    return names


def connected_listeners(signal: NamedSignal) -> set[str]:
    receivers = (r() if isinstance(r, weakref.ref) else r for r in signal.receivers.values())
    return {f"{r.__module__}.{r.__qualname__}" for r in receivers if r is not None}


def test_every_signal_has_a_docstring_of_its_own():
    assert len(SIGNALS) >= 8
    for name, signal in SIGNALS.items():
        assert signal.__doc__ and signal.__doc__ != NamedSignal.__doc__, name
        assert "Sender:" in signal.__doc__, name


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_the_docstring_names_the_connected_receivers(app, name):
    signal = SIGNALS[name]
    assert connected_listeners(signal) == documented_listeners(signal.__doc__)


def test_the_parser_reads_both_forms():
    assert documented_listeners("Sender: x.\n\nListeners: none.\n") == set()
    doc = "Sender: x.\n\nListeners:\n- ``a.b.c``: does this,\n  over two lines.\n- ``d.e``: and that.\n"
    assert documented_listeners(doc) == {"a.b.c", "d.e"}
    with pytest.raises(AssertionError):
        documented_listeners("Sender: x. Listeners: none yet (later: statistics).")


def test_a_receiver_connected_without_documentation_is_seen(app):
    def _undocumented(sender, **kwargs):
        pass

    with signals.user_registered.connected_to(_undocumented):
        assert connected_listeners(signals.user_registered) == {f"{__name__}.{_undocumented.__qualname__}"}
    assert connected_listeners(signals.user_registered) == documented_listeners(signals.user_registered.__doc__)
