"""The dense end of USE's single-text path as one onnxruntime call (private to :mod:`matching._use_fast`).

After the token rows and the first convolution (numpy, :class:`matching._use_fast.FastUse`), a
text's forward pass is about twenty small array operations: the second convolution of each of
the three CNN branches with its residual, the layer norm, the pooled projection and the four
dense layers, then tanh and the unit length. Run from Python, each is a numpy call with its own
overhead and its own trip through the weights; onnxruntime runs the same operations from one
call with its own kernels. The graph is built here from the loaded weights (``onnx.helper``,
nothing downloaded or written) with one intra-op thread, in about 0.2 s; vectors differ from the
numpy path only by float rounding (cosine ≥ 0.99999, tested). Measured inside a match at 1,000
centres on a 2-core machine: 0.19 ms less per match, faster on 84 % of the needs
(``bench/bench_match.py``).

:func:`build_tail` returns None when onnxruntime or onnx cannot be imported or the graph cannot be
built; the numpy path then stays in use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__: list[str] = []  # private module


class Tail:
    """``run(emb, hs)``: the unit vector ``(512,)`` of one text from its embedding rows ``emb``
    ``(n, 512)`` and the three branches' first-convolution outputs ``hs`` (each ``(n, 256)``)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def run(self, emb: np.ndarray, hs: list[np.ndarray]) -> np.ndarray:
        out = self.session.run(None, {"emb": emb, "h0": hs[0], "h1": hs[1], "h2": hs[2]})[0]
        return np.asarray(out[0], dtype=np.float32)


def build_tail(fast: Any, orders: tuple[tuple[int, int], ...], threads: int = 1) -> Tail | None:
    """The tail of ``fast`` (a :class:`matching._use_fast.FastUse`, whose weights it copies) for
    CNN branches of ``orders`` ``(n-gram order, left context)``, or None (see the module docstring)."""
    try:
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        return None
    try:
        graph = _graph(fast, orders, helper, numpy_helper, TensorProto)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8  # what onnxruntime >= 1.17 reads
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, int(threads))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - any failure keeps the numpy path, which computes the same vectors
        return None
    return Tail(session)


def _graph(fast: Any, orders: tuple[tuple[int, int], ...], helper: Any, numpy_helper: Any, tensor: Any) -> Any:
    """The ONNX graph of FastUse._one after the first convolution (the same operations, in order)."""
    cnn = fast.w2[0].shape[1]
    emb_dim = fast.cnn_w.shape[0] - len(orders) * cnn
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    axis0 = const("axis0", np.array([0], dtype=np.int64))
    axis1 = const("axis1", np.array([1], dtype=np.int64))
    branches = []
    for i, (order, left) in enumerate(orders):
        # window position j of the second convolution multiplies rows j*cnn .. (j+1)*cnn of w2: Conv wants (out, in, k)
        kernel = np.asarray(fast.w2[i], dtype=np.float32).reshape(order, cnn, cnn).transpose(2, 1, 0)
        x = node("Unsqueeze", [node("Transpose", [f"h{i}"], f"h{i}_t", perm=[1, 0]), axis0], f"h{i}_x")
        conv = node("Conv", [x, const(f"w2_{i}", kernel), const(f"b2_{i}", np.asarray(fast.b2[i], np.float32).reshape(-1))],
                    f"c{i}_conv", kernel_shape=[order], pads=[left, order - 1 - left])
        rows = node("Transpose", [node("Squeeze", [conv, axis0], f"c{i}_sq")], f"c{i}_rows", perm=[1, 0])
        branches.append(node("Add", [node("Relu", [rows], f"c{i}_relu"), f"h{i}"], f"c{i}"))
    feats = node("Concat", ["emb", *branches], "feats", axis=1)
    normed = node("LayerNormalization", [feats, const("ln_g", _f32(fast.ln_g).reshape(-1)), const("ln_b", _f32(fast.ln_b).reshape(-1))],
                  "normed", axis=-1, epsilon=float(fast.eps))
    total = node("ReduceSum", [normed, axis0], "total", keepdims=1)
    n = node("Cast", [node("Gather", [node("Shape", ["emb"], "shape"), axis0], "n_int")], "n", to=tensor.FLOAT)
    pooled = node("Add", [node("MatMul", [total, const("cnn_w", _f32(fast.cnn_w))], "pooled_w"),
                          node("Mul", [n, const("cnn_b", _f32(fast.cnn_b).reshape(-1))], "pooled_b")], "pooled")
    mean = node("Div", [pooled, node("Sqrt", [n], "sqrt_n")], "mean")
    y0 = node("Relu", [node("MatMul", [mean, const("d0", _f32(fast.d0))], "y0_in")], "y0")
    y1 = node("Relu", [node("Add", [node("MatMul", [mean, const("p1", _f32(fast.p1))], "y1_skip"),
                                    node("MatMul", [y0, const("d1", _f32(fast.d1))], "y1_dense")], "y1_in")], "y1")
    y2 = node("Relu", [node("MatMul", [y1, const("d2", _f32(fast.d2))], "y2_in")], "y2")
    z = node("Tanh", [node("Add", [node("MatMul", [y1, const("p3", _f32(fast.p3))], "z_skip"),
                                   node("MatMul", [y2, const("d3", _f32(fast.d3))], "z_dense")], "z_in")], "z")
    square = node("ReduceSum", [node("Mul", [z, z], "z_sq"), axis1], "z_sq_sum", keepdims=1)
    length = node("Sqrt", [node("Max", [square, const("eps", np.array([fast.eps], dtype=np.float32))], "z_sq_min")], "z_len")
    node("Div", [z, length], "vector")
    inputs = [helper.make_tensor_value_info("emb", tensor.FLOAT, ["n", emb_dim])] + [
        helper.make_tensor_value_info(f"h{i}", tensor.FLOAT, ["n", cnn]) for i in range(len(orders))
    ]
    outputs = [helper.make_tensor_value_info("vector", tensor.FLOAT, [1, fast.d3.shape[1]])]
    return helper.make_graph(nodes, "use_tail", inputs, outputs, inits)


def _f32(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)
