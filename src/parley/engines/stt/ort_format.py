"""An ONNX model from a model in onnxruntime's own format (a `.ort` flatbuffer), read with
the flatbuffer schema that the onnxruntime package ships.

Why: onnxruntime loads a `.ort` model as it was saved, without the graph optimizations
it applies to an ONNX model. Moonshine's `.ort` decoder keeps its weights as int8 and
turns them back into float32 (and transposes the output projection, 32768 x 416) at
every step it decodes: about a tenth of a second per token. The same graph as an ONNX
model has those constant computations folded once, when the session is made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The flatbuffer's enums (attribute types, tensor element types) are ONNX's own numbers.
_SCALARS = {1: "f", 2: "i", 3: "s", 4: "t", 5: "g"}
_LISTS = {6: "floats", 7: "ints", 8: "strings", 9: "tensors", 10: "graphs"}


def onnx_model(path: Path) -> Any:
    """The ONNX ModelProto of the `.ort` model at `path`."""
    from onnx import helper
    from onnxruntime.tools.ort_format_model.ort_flatbuffers_py.fbs.InferenceSession import (
        InferenceSession,
    )

    data = path.read_bytes()
    model = InferenceSession.GetRootAs(data, 0).Model()
    opsets = [
        helper.make_opsetid(_text(model.OpsetImport(i).Domain()), model.OpsetImport(i).Version())
        for i in range(model.OpsetImportLength())
    ]
    return helper.make_model(
        _graph(model.Graph(), "main"), opset_imports=opsets, ir_version=model.IrVersion()
    )


def _graph(graph: Any, name: str) -> Any:
    from onnx import helper

    values = {
        _text(graph.NodeArgs(i).Name()): graph.NodeArgs(i) for i in range(graph.NodeArgsLength())
    }
    inputs = [_text(graph.Inputs(i)) for i in range(graph.InputsLength())]
    outputs = [_text(graph.Outputs(i)) for i in range(graph.OutputsLength())]
    initializers = [_tensor(graph.Initializers(i)) for i in range(graph.InitializersLength())]
    known = {t.name for t in initializers}
    nodes = [graph.Nodes(i) for i in range(graph.NodesLength())]
    return helper.make_graph(
        [_node(n) for n in _in_order(nodes)],
        name,
        [_value(values[n]) for n in inputs if n not in known],
        [_value(values[n]) for n in outputs],
        initializers,
        value_info=[
            _value(v)
            for n, v in values.items()
            if n not in known and n not in inputs and n not in outputs and v.Type() is not None
        ],
    )


def _in_order(nodes: list[Any]) -> list[Any]:
    """The nodes in an order where each comes after the nodes it reads from, as ONNX
    requires (a saved `.ort` graph keeps them by index, which need not be that order)."""
    produced = {
        _text(node.Outputs(i)): index
        for index, node in enumerate(nodes)
        for i in range(node.OutputsLength())
    }
    needs = [
        {
            produced[name]
            for name in [_text(n.Inputs(i)) for i in range(n.InputsLength())]
            + [_text(n.ImplicitInputs(i)) for i in range(n.ImplicitInputsLength())]
            if name in produced
        }
        for n in nodes
    ]
    done: set[int] = set()
    order: list[Any] = []
    pending = sorted(range(len(nodes)), key=lambda i: nodes[i].Index())
    while pending:
        ready = [i for i in pending if needs[i] <= done]
        if not ready:
            raise ValueError("the graph has a cycle")
        order += [nodes[i] for i in ready]
        done.update(ready)
        pending = [i for i in pending if i not in done]
    return order


def _node(node: Any) -> Any:
    from onnx import helper

    made = helper.make_node(
        _text(node.OpType()),
        [_text(node.Inputs(i)) for i in range(node.InputsLength())],
        [_text(node.Outputs(i)) for i in range(node.OutputsLength())],
        name=_text(node.Name()),
        domain=_text(node.Domain()) or None,
    )
    made.attribute.extend(_attribute(node.Attributes(i)) for i in range(node.AttributesLength()))
    return made


def _attribute(attribute: Any) -> Any:
    from onnx import AttributeProto

    kind = attribute.Type()
    made = AttributeProto(name=_text(attribute.Name()), type=kind)
    if kind in (1, 2):
        setattr(made, _SCALARS[kind], attribute.F() if kind == 1 else attribute.I())
    elif kind == 3:
        made.s = attribute.S() or b""
    elif kind == 4:
        made.t.CopyFrom(_tensor(attribute.T()))
    elif kind == 5:
        made.g.CopyFrom(_graph(attribute.G(), made.name))
    elif kind == 6:
        made.floats.extend(attribute.FloatsAsNumpy().tolist())
    elif kind == 7:
        made.ints.extend(attribute.IntsAsNumpy().tolist())
    elif kind == 8:
        made.strings.extend(attribute.Strings(i) for i in range(attribute.StringsLength()))
    elif kind == 9:
        made.tensors.extend(_tensor(attribute.Tensors(i)) for i in range(attribute.TensorsLength()))
    elif kind == 10:
        made.graphs.extend(
            _graph(attribute.Graphs(i), made.name) for i in range(attribute.GraphsLength())
        )
    else:
        raise ValueError(f"attribute {made.name!r} has a type this reader does not know: {kind}")
    return made


def _tensor(tensor: Any) -> Any:
    from onnx import TensorProto

    made = TensorProto(
        name=_text(tensor.Name()),
        data_type=tensor.DataType(),
        dims=tensor.DimsAsNumpy().tolist() if tensor.DimsLength() else [],
    )
    if tensor.StringDataLength():
        made.string_data.extend(tensor.StringData(i) for i in range(tensor.StringDataLength()))
    elif tensor.RawDataLength():
        made.raw_data = tensor.RawDataAsNumpy().tobytes()
    return made


def _value(value: Any) -> Any:
    from onnx import helper
    from onnxruntime.tools.ort_format_model.ort_flatbuffers_py.fbs.TensorTypeAndShape import (
        TensorTypeAndShape,
    )

    name = _text(value.Name())
    info = value.Type()
    if info is None or info.ValueType() != 1:  # not a tensor: let onnxruntime infer it
        return helper.make_empty_tensor_value_info(name)
    table = info.Value()
    tensor = TensorTypeAndShape()
    tensor.Init(table.Bytes, table.Pos)
    shape = tensor.Shape()
    dims: list[int | str | None] | None = None
    if shape is not None:
        dims = []
        for i in range(shape.DimLength()):
            dim = shape.Dim(i).Value()
            if dim is None:
                dims.append(None)
            elif dim.DimType() == 1:
                dims.append(dim.DimValue())
            else:
                dims.append(_text(dim.DimParam()) or None)
    return helper.make_tensor_value_info(name, tensor.ElemType(), dims)


def _text(value: bytes | None) -> str:
    return value.decode() if value else ""
