"""``derivatives=auto``'s compiled choice, with autograd to fall back on: a C++ compiler that is
found but cannot build Inductor's kernels (a broken toolchain, a missing header) surfaces only at
the first evaluation, as a hundred-line InductorError. The choice was the tool's, not the
user's, so it must not cost the run: the first failure to compile is a warning, and the run goes
on with the second engine."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from torch import Tensor, nn

from pinnsolve.derivatives.engine import DerivativeEngine
from pinnsolve.derivatives.field import Field, OutputKey

log = logging.getLogger(__name__)


def compile_failure(error: BaseException) -> bool:
    """Whether ``error`` is torch.compile failing to build code (Dynamo's or Inductor's own errors)."""
    return type(error).__module__.startswith(("torch._dynamo", "torch._inductor"))


class Fallback(DerivativeEngine):
    """``first`` (a compiling engine) until compiling fails, ``second`` from then on; its name is the engine in use."""

    def __init__(self, first: DerivativeEngine, second: DerivativeEngine) -> None:
        self.first, self.second = first, second
        self.active = first

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.active.name

    def unsupported(self, model: nn.Module, keys: frozenset[OutputKey], variables: Sequence[str]) -> str | None:
        return self.active.unsupported(model, keys, variables)

    def field(
        self, model: nn.Module, inputs: Tensor, variables: Sequence[str], unknowns: Sequence[str], keys: frozenset[OutputKey]
    ) -> Field:
        return self.active.field(model, inputs, variables, unknowns, keys)

    def prepare(self, function: Callable[..., Any]) -> Callable[..., Any]:
        prepared = self.first.prepare(function)

        def evaluate(*args: Any, **kwargs: Any) -> Any:
            nonlocal prepared
            if self.active is self.first:
                try:
                    return prepared(*args, **kwargs)
                except Exception as error:
                    if not compile_failure(error):
                        raise
                    first_line = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
                    log.warning(
                        "derivatives=auto: %s could not compile (%s: %s); using %s instead",
                        self.first.name, type(error).__name__, first_line[:300], self.second.name,
                    )
                    self.active = self.second
                    prepared = self.second.prepare(function)
            return prepared(*args, **kwargs)

        return evaluate
