"""USE's single-text forward pass as onnxruntime calls (private to :mod:`matching._use_fast`).

Once a text's token rows are gathered (:class:`matching._use_fast.FastUse`), the rest of its
forward pass is some forty small array operations: the first convolution of each of the three
CNN branches (sums of the rows' window products), the second convolution with its residual, the
layer norm, the pooled projection and the four dense layers, then tanh and the unit length. Run
from Python, each is a numpy call with its own overhead and its own trip through the weights;
onnxruntime runs the same operations from one call with its own kernels. The second convolution
is a product of each branch's windows (shifted slices side by side) with its weights, as in
numpy: as an ONNX ``Conv`` it was 0.1 ms slower. A second, smaller graph makes the rows of
tokens new to the encoder (projection, layer norm, window products). Both are built here from
the loaded weights (``onnx.helper``; nothing downloaded or written) with one intra-op thread, in
about 0.13 s, and hold their own copy of the weights (with the libraries, the service's resident
memory grows by about 90 MB); vectors differ from the numpy path only by float rounding (cosine ≥ 0.99999,
tested). Measured inside a match at 1,000 centres on a 2-core machine, paired in one process:
the forward pass 0.34-0.36 ms less per match than numpy (faster on 96-99 % of 382 needs), the
rows 0.11 ms less again, the same top 10 for every need.

:func:`build_tail` returns None when onnxruntime or onnx cannot be imported or a graph cannot be
built; the numpy path then stays in use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__: list[str] = []  # private module


class Tail:
    """Two onnxruntime sessions over a :class:`matching._use_fast.FastUse`'s weights: ``rows(emb)``,
    the token rows ``(m, row width)`` float32 of tokens with embedding rows ``emb`` ``(m, 512)``
    (as ``FastUse._token_rows``), and ``run(emb, rows)``, the unit vector ``(512,)`` of one text from
    its embedding rows and its token rows ``(n, row width)`` float16."""

    def __init__(self, forward: Any, token_rows: Any) -> None:
        self.forward, self.token_rows = forward, token_rows

    def rows(self, emb: np.ndarray) -> np.ndarray:
        return np.asarray(self.token_rows.run(None, {"emb": emb})[0], dtype=np.float32)

    def run(self, emb: np.ndarray, rows: np.ndarray) -> np.ndarray:
        out = self.forward.run(None, {"emb": emb, "rows": rows})[0]
        return np.asarray(out[0], dtype=np.float32)


def build_tail(fast: Any, orders: tuple[tuple[int, int], ...], threads: int = 1) -> Tail | None:
    """The sessions for ``fast`` (whose weights they copy) with CNN branches of ``orders``
    ``(n-gram order, left context)``, or None (see the module docstring)."""
    try:
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        return None
    try:
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, int(threads))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # with threads > 1: no busy waits
        options.enable_cpu_mem_arena = False  # one small text at a time: no faster with the arena, and less memory
        sessions = []
        for build in (_forward, _token_rows):
            graph = _Graph(helper, numpy_helper, TensorProto)
            model = graph.model(build(graph, fast, orders))
            sessions.append(ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"]))
        tail = Tail(*sessions)
        # a session's first run plans its memory (about 1 ms more): do it here, not at the first need
        tail.run(np.zeros((3, fast.proj_w.shape[0]), np.float32), np.zeros((3, fast.rows.width), np.float16))
    except Exception:  # noqa: BLE001 - any failure keeps the numpy path (the same vectors up to rounding)
        return None
    return tail


class _Graph:
    """An ONNX graph being written: constants (initializers) and nodes, each named by its output."""

    def __init__(self, helper: Any, numpy_helper: Any, tensor: Any) -> None:
        self.helper, self.numpy_helper, self.tensor = helper, numpy_helper, tensor
        self.inits: list[Any] = []
        self.nodes: list[Any] = []

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        self.nodes.append(self.helper.make_node(op, inputs, [output], **attrs))
        return output

    def model(self, io: tuple[str, list[Any], list[Any]]) -> Any:
        """The model of graph ``io`` = (name, inputs, outputs), opset 17."""
        name, inputs, outputs = io
        model = self.helper.make_model(self.helper.make_graph(self.nodes, name, inputs, outputs, self.inits),
                                       opset_imports=[self.helper.make_opsetid("", 17)])
        model.ir_version = 8  # what onnxruntime >= 1.17 reads
        return model


def _token_rows(g: _Graph, fast: Any, orders: tuple[tuple[int, int], ...]) -> tuple[str, list[Any], list[Any]]:
    """FastUse._token_rows: the layer-normed projection of each embedding row, then its products
    with the first convolution's window blocks, branch by branch."""
    cnn = fast.w2[0].shape[1]
    projected = g.node("Add", [g.node("MatMul", ["emb", g.const("proj_w", _f32(fast.proj_w))], "proj"),
                              g.const("proj_b", _f32(fast.proj_b).reshape(-1))], "proj_in")
    x = g.node("LayerNormalization", [projected, g.const("ln_g_all", _f32(fast.ln_g_all).reshape(-1)),
                                      g.const("ln_b_all", _f32(fast.ln_b_all).reshape(-1))],
               "x", axis=-1, epsilon=float(fast.eps))
    columns = g.const("axis1", np.array([1], dtype=np.int64))
    parts = [x]
    for i in range(len(orders)):
        branch = g.node("Slice", [x, g.const(f"from{i}", np.array([i * cnn])), g.const(f"to{i}", np.array([(i + 1) * cnn])),
                                  columns], f"x{i}")
        parts.append(g.node("MatMul", [branch, g.const(f"w1_{i}", _f32(fast.w1_blocks[i]))], f"products{i}"))
    g.node("Concat", parts, "rows", axis=1)
    emb_dim = fast.proj_w.shape[0]
    return ("use_token_rows", [g.helper.make_tensor_value_info("emb", g.tensor.FLOAT, ["m", emb_dim])],
            [g.helper.make_tensor_value_info("rows", g.tensor.FLOAT, ["m", None])])


def _forward(g: _Graph, fast: Any, orders: tuple[tuple[int, int], ...]) -> tuple[str, list[Any], list[Any]]:
    """FastUse._one after gathering the token rows (the same operations, in order)."""
    cnn = fast.w2[0].shape[1]
    const, node, tensor = g.const, g.node, g.tensor

    axis0 = const("axis0", np.array([0], dtype=np.int64))
    axis1 = const("axis1", np.array([1], dtype=np.int64))
    both = const("axes01", np.array([0, 1], dtype=np.int64))
    reach = max(max(o - 1 - lt, lt) for o, lt in orders)  # the farthest a window reaches from its row
    last = np.iinfo(np.int64).max

    def shifted(x: str, shift: int, first: int, width: int, name: str) -> str:
        """Rows t + shift of ``x`` padded by ``reach`` zero rows each side, columns first .. first+width."""
        cut = reach - shift  # padded rows left over after the last one taken
        start = const(f"{name}_from", np.array([reach + shift, first]))
        end = const(f"{name}_to", np.array([-cut if cut > 0 else last, first + width]))
        return node("Slice", [x, start, end, both], name)

    # the first convolution: the token rows hold each token's layer-normed projection, then its
    # products with the window positions of each branch (matching._use_fast); position t of branch i
    # sums the products of tokens t-left .. t-left+order-1, plus the bias; relu; plus the projection
    rows = node("Cast", ["rows"], "rows32", to=tensor.FLOAT)
    rows_padded = node("Pad", [rows, const("pads_rows", np.array([reach, 0, reach, 0], dtype=np.int64))], "rows_pad")
    at = len(orders) * cnn
    for i, (order, left) in enumerate(orders):
        h = const(f"b1_{i}", _f32(fast.b1[i]).reshape(1, -1))
        for j in range(order):
            h = node("Add", [h, shifted(rows_padded, j - left, at + j * cnn, cnn, f"p{i}_{j}")], f"h{i}_sum{j}")
        at += order * cnn
        projected = shifted(rows_padded, 0, i * cnn, cnn, f"x{i}")
        node("Add", [node("Relu", [h], f"h{i}_relu"), projected], f"h{i}")
    branches = []
    for i, (order, left) in enumerate(orders):
        # second convolution: row t of the windows is h[t-left .. t-left+order-1] side by side (zeros
        # outside the text), times w2; h padded by ``reach`` zero rows each side, sliced per position
        padded = node("Pad", [f"h{i}", const(f"pads{i}", np.array([reach, 0, reach, 0], dtype=np.int64))], f"h{i}_pad")
        window = [shifted(padded, j - left, 0, cnn, f"h{i}_at{j}") for j in range(order)]
        windows = node("Concat", window, f"h{i}_windows", axis=1)
        c2 = node("Add", [node("MatMul", [windows, const(f"w2_{i}", _f32(fast.w2[i]))], f"c{i}_mm"),
                          const(f"b2_{i}", _f32(fast.b2[i]).reshape(-1))], f"c{i}_in")
        branches.append(node("Add", [node("Relu", [c2], f"c{i}_relu"), f"h{i}"], f"c{i}"))
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
    inputs = [g.helper.make_tensor_value_info("emb", tensor.FLOAT, ["n", fast.proj_w.shape[0]]),
              g.helper.make_tensor_value_info("rows", tensor.FLOAT16, ["n", fast.rows.width])]
    return "use_forward", inputs, [g.helper.make_tensor_value_info("vector", tensor.FLOAT, [1, fast.d3.shape[1]])]


def _f32(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)
