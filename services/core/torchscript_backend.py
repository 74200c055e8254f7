"""The encoder's torch forward pass as a TorchScript trace: the same numbers, no GIL inside.

An eager forward pass is a few hundred Python calls (modules, attention, layer norms) between
the matrix products, each taking the GIL. In a worker the GIL is also wanted by the event loop
(Kafka, Redis, the heads) and, with ``NEWSMON_WORKER_CONCURRENCY`` above one, by the other
forward passes, so each pass waits its turn between layers. A traced module runs its graph in
C++ and takes the GIL only to enter and leave. On the 2-core EPYC (bf16, VOA stories 16 at a
time, one torch thread per pass, three runs): one pass 188-229 against 188-192 sentences/s
eager, two passes in one process 324-368 against 276-339; hidden states identical to eager
(largest difference 0.0 over every pass), since the trace records the same kernels, bf16 casts
included.

The graph is run with the graph executor's optimisations off (``optimized_execution(False)``):
they specialise the graph for the shapes seen in its first runs, and a worker's passes come in
hundreds of shapes; plain interpretation measured the figures above.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import torch
from newsmon.core.onnx_backend import MAX_DIFFERENCE, LastHiddenState, largest_difference

EXAMPLE = ["Envoys of two countries met in Geneva on Tuesday.", "Talks ended."]


class TracedForward:
    """A traced model: tensors in, last hidden states (float32) out."""

    def __init__(self, traced: torch.jit.ScriptModule, input_names: list[str]) -> None:
        self.traced = traced
        self.input_names = input_names

    @classmethod
    def for_model(cls, model: torch.nn.Module, tokenizer: object, bf16: bool) -> TracedForward:
        """Trace ``model`` on a padded example (under bf16 autocast when asked, so the casts
        are in the graph) and check it against the eager model on that example."""
        example = tokenizer(EXAMPLE, padding=True, return_tensors="pt")  # type: ignore[operator]
        names = [n for n in tokenizer.model_input_names if n in example]  # type: ignore[attr-defined]
        inputs = tuple(example[name] for name in names)
        with (
            torch.inference_mode(),
            torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16),
            warnings.catch_warnings(),
        ):
            # the tracer warns of every Python branch it freezes (``check`` tests the result),
            # and it reads every attribute of the model, which makes transformers log a warning
            # about the model's loss function
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            transformers_log = logging.getLogger("transformers")
            level = transformers_log.level
            transformers_log.setLevel(logging.ERROR)
            try:
                traced = torch.jit.trace(
                    LastHiddenState(model, names).eval(), inputs, check_trace=False
                )
            finally:
                transformers_log.setLevel(level)
            expected = model(**dict(example)).last_hidden_state.float()
        forward = cls(traced, names)
        forward.check(inputs, expected, example["attention_mask"])
        return forward

    def check(
        self, inputs: tuple[torch.Tensor, ...], expected: torch.Tensor, mask: torch.Tensor
    ) -> None:
        """Refuse a trace that differs from the eager model where tokens are real (a model
        whose forward branches on its input's shape would bake the example's branch in)."""
        worst = largest_difference(self(inputs), expected.numpy(), mask.numpy())
        if worst > MAX_DIFFERENCE:
            raise RuntimeError(
                f"the traced encoder differs from the model by {worst:.2g} (more than "
                f"{MAX_DIFFERENCE}); set NEWSMON_MODEL_TRACE=false"
            )

    def __call__(self, inputs: tuple[torch.Tensor, ...]) -> np.ndarray:
        with torch.inference_mode(), torch.jit.optimized_execution(False):
            return self.traced(*inputs).float().numpy()
