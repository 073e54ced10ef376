/**
 * Error messages are for people: each names the node, and the shapes or dtypes that clash. Checked
 * both when a node is built (known shapes) and when it runs (shapes known only from the feeds).
 */
import { describe, test } from "node:test";
import * as ts from "tensorslow";
import { atRun, inGraph, throwsWith } from "../helpers/graph-run.js";

const zeros = (shape: number[], dtype: ts.DType = "float32"): ts.Node => ts.constant(ts.zeros(shape, dtype));

describe("matmul errors", () => {
  test("incompatible inner dimensions name both shapes and the node", () => {
    throwsWith(
      () => inGraph(() => ts.matmul(zeros([2, 3]), zeros([4, 5]))),
      ts.ShapeError,
      /Dimensions must be equal, but are 3 and 4 .*MatMul.*\[2,3\].*\[4,5\]/,
    );
  });

  test("the node's scoped name appears", () => {
    throwsWith(
      () => inGraph((g) => g.nameScope("layer1", () => ts.matmul(zeros([2, 3]), zeros([4, 5])))),
      ts.ShapeError,
      /'layer1\/MatMul'/,
    );
  });

  test("with transposes, the message says which were set", () => {
    throwsWith(
      () => inGraph(() => ts.matmul(zeros([2, 3]), zeros([3, 4]), { transposeA: true, name: "logits" })),
      ts.ShapeError,
      /Dimensions must be equal, but are 2 and 3 for 'logits' \(op: MatMul\) with input shapes: \[2,3\], \[3,4\] and transposeA=true, transposeB=false/,
    );
  });

  test("shapes known only at run time are checked when the op runs, with the same message", () => {
    throwsWith(
      atRun([ts.zeros([2, 3]), ts.zeros([4, 5])], ([a, b]) => ts.matmul(a!, b!)),
      ts.ShapeError,
      /Dimensions must be equal, but are 3 and 4 .*'MatMul'.*\[2,3\].*\[4,5\]/,
    );
  });

  test("a scalar operand, and batch dimensions that do not broadcast", () => {
    throwsWith(() => inGraph(() => ts.matmul(zeros([]), zeros([2, 2]))), ts.ShapeError, /rank at least 1, got a scalar .*MatMul/);
    throwsWith(() => inGraph(() => ts.matmul(zeros([2, 2, 3]), zeros([3, 3, 4]))), ts.ShapeError, /MatMul.*batch.*\[2\].*\[3\]/);
  });
});

describe("broadcasting errors", () => {
  test("names the op, the node and both shapes", () => {
    throwsWith(
      () => inGraph(() => ts.add(zeros([2, 3]), zeros([4]))),
      ts.ShapeError,
      /Add 'Add': operands could not be broadcast together with shapes \[2,3\] and \[4\]/,
    );
    throwsWith(
      () => inGraph(() => ts.multiply(zeros([3, 1, 2]), zeros([4, 3]), "scale")),
      ts.ShapeError,
      /Mul 'scale'.*\[3,1,2\] and \[4,3\]/,
    );
  });

  test("at run time too", () => {
    throwsWith(
      atRun([ts.zeros([2, 3]), ts.zeros([2, 4])], ([a, b]) => ts.subtract(a!, b!)),
      ts.ShapeError,
      /Sub 'Sub'.*\[2,3\] and \[2,4\]/,
    );
  });
});

describe("dtype errors", () => {
  test("mixing dtypes names both", () => {
    throwsWith(
      () => inGraph(() => ts.add(zeros([2], "float32"), zeros([2], "float64"))),
      ts.DTypeError,
      /Add 'Add': inputs must have the same dtype, got float32 and float64/,
    );
    throwsWith(() => inGraph(() => ts.matmul(zeros([2, 2], "float64"), zeros([2, 2], "int32"))), ts.DTypeError, /MatMul.*float64 and int32/);
  });

  test("float-only ops name the dtype they got", () => {
    throwsWith(() => inGraph(() => ts.log(zeros([2], "int32"))), ts.DTypeError, /Log 'Log' needs a float32 or float64 input, got int32 of shape \[2\]/);
    throwsWith(() => inGraph(() => ts.reduceMean(zeros([2], "int32"))), ts.DTypeError, /Mean 'Mean'.*int32/);
    throwsWith(() => inGraph(() => ts.softmax(zeros([2], "int32"))), ts.DTypeError, /Softmax.*int32/);
    // Integer division would truncate; TensorFlow's divide of integers is a true division.
    throwsWith(() => inGraph(() => ts.divide(zeros([2], "int32"), zeros([2], "int32"))), ts.DTypeError, /RealDiv 'RealDiv' needs a float32 or float64 input, got int32/);
  });

  test("a plain number the other operand's dtype cannot hold is refused, not truncated", () => {
    throwsWith(
      () => inGraph(() => ts.multiply(zeros([2], "int32"), 0.5)),
      ts.ValueError,
      /Mul 'Mul', input 1: element 0 is 0.5, which int32 cannot hold exactly/,
    );
  });

  test("arithmetic on bool is refused", () => {
    const bools = () => ts.constant([true, false]);
    throwsWith(() => inGraph(() => ts.add(bools(), bools())), ts.DTypeError, /Add 'Add' does arithmetic and does not take bool values \(shape \[2\]\)/);
    throwsWith(() => inGraph(() => ts.reduceSum(bools())), ts.DTypeError, /Sum 'Sum' does arithmetic/);
    throwsWith(() => inGraph(() => ts.negative(bools())), ts.DTypeError, /Neg 'Neg' does arithmetic/);
    throwsWith(() => inGraph(() => ts.matmul([[true]], [[true]])), ts.DTypeError, /MatMul 'MatMul' does arithmetic/);
  });
});

describe("axis errors", () => {
  test("a reduction axis out of range names the axis, the rank and the node", () => {
    throwsWith(() => inGraph(() => ts.reduceSum(zeros([2, 3]), 2)), ts.ShapeError, /Sum 'Sum': axis 2 is out of range for a tensor of rank 2/);
    throwsWith(() => inGraph(() => ts.reduceMean(zeros([2, 3]), [0, -3])), ts.ShapeError, /Mean 'Mean': axis -3 is out of range for a tensor of rank 2/);
    throwsWith(() => inGraph(() => ts.reduceSum(zeros([2, 3]), 0.5)), ts.ArgumentError, /reduceSum: argument 'axis' must be an integer, an array of integers, or null \(all axes\) \(or undefined\), got number 0\.5/);
  });

  test("an axis named twice is refused, as numpy does", () => {
    throwsWith(
      () => inGraph(() => ts.reduceSum(zeros([2, 3, 4]), [-2, 1])),
      ts.ShapeError,
      /Sum 'Sum': axes -2 and 1 of \[-2,1\] both name axis 1 of a tensor of rank 3/,
    );
  });

  test("at run time, for an input whose rank was unknown", () => {
    throwsWith(
      () =>
        inGraph((g) => {
          const x = ts.placeholder({ dtype: "float32" });
          return new ts.Session(g).run(ts.reduceSum(x, 1), new Map([[x, ts.zeros([3])]]));
        }),
      ts.ShapeError,
      /Sum 'Sum': axis 1 is out of range for a tensor of rank 1/,
    );
  });

  test("softmax and expandDims axes", () => {
    throwsWith(() => inGraph(() => ts.softmax(zeros([2, 3]), 2)), ts.ShapeError, /Softmax 'Softmax': axis 2 is out of range for a tensor of rank 2/);
    throwsWith(() => inGraph(() => ts.softmax(zeros([]))), ts.ShapeError, /Softmax 'Softmax' needs an input of rank at least 1/);
    throwsWith(() => inGraph(() => ts.expandDims(zeros([2, 3]), 3)), ts.ShapeError, /ExpandDims 'ExpandDims': axis 3 is out of range for a tensor of rank 2/);
  });
});

describe("reshape errors", () => {
  test("a size that does not fit names both shapes and the element count", () => {
    throwsWith(
      () => inGraph(() => ts.reshape(zeros([2, 3]), [4])),
      ts.ShapeError,
      /Reshape 'Reshape': cannot reshape a tensor of shape \[2,3\] \(6 elements\) into shape \[4\]/,
    );
    throwsWith(() => inGraph(() => ts.reshape(zeros([2, 3]), [4, -1])), ts.ShapeError, /\[2,3\] \(6 elements\) into shape \[4,-1\]/);
  });

  test("two -1s, or negative sizes, are refused", () => {
    throwsWith(() => inGraph(() => ts.reshape(zeros([2, 3]), [-1, -1])), ts.ShapeError, /invalid target shape \[-1,-1\]/);
    throwsWith(() => inGraph(() => ts.reshape(zeros([2, 3]), [-2, -3])), ts.ShapeError, /invalid target shape/);
  });

  test("at run time, when the input's shape was unknown", () => {
    throwsWith(atRun([ts.zeros([5])], ([x]) => ts.reshape(x!, [2, -1])), ts.ShapeError, /cannot reshape a tensor of shape \[5\] \(5 elements\) into shape \[2,-1\]/);
  });

  test("the form that takes its shape from a second input checks the element count", () => {
    const reshapeDef = ts.registeredOps().find((d) => d.type === "Reshape")!;
    throwsWith(
      () => inGraph((g) => new ts.Operation(reshapeDef, g, [zeros([2, 3]), zeros([4])], {}, "Reshape")),
      ts.ShapeError,
      /Reshape 'Reshape'.*\[2,3\] \(6 elements\).*\[4\].*\(4 elements\)/,
    );
    throwsWith(
      atRun([ts.zeros([2, 3]), ts.zeros([5])], ([x, like]) => new ts.Operation(reshapeDef, x!.graph, [x!, like!], {}, "Reshape")),
      ts.ShapeError,
      /\[2,3\] \(6 elements\).*\[5\]/,
    );
  });
});

describe("value errors", () => {
  test("a ragged nested array names the element and the lengths", () => {
    throwsWith(() => ts.tensor([[1, 2], [3]]), ts.ValueError, /ragged nested array: element value\[1\] has length 1, expected 2 \(inferred shape \[2,2\]\)/);
    throwsWith(() => ts.tensor([[1, 2], 3] as unknown as ts.NestedArray), ts.ValueError, /ragged nested array: element value\[1\] is a number/);
    throwsWith(() => inGraph(() => ts.constant([[[1], [2]], [[3]]])), ts.ValueError, /ragged.*value\[1\]/);
  });

  test("feeding a ragged array names the placeholder", () => {
    throwsWith(
      () =>
        inGraph((g) => {
          const x = ts.placeholder({ dtype: "float32", name: "images" });
          return new ts.Session(g).run(ts.identity(x), new Map([[x, [[1, 2], [3]]]]));
        }),
      ts.FeedError,
      /placeholder 'images'.*ragged/,
    );
  });
});

describe("assignment errors", () => {
  test("a value of the wrong shape names both shapes and the node", () => {
    throwsWith(
      () => inGraph(() => ts.assign(new ts.Variable(ts.zeros([2, 2])), [1, 2, 3])),
      ts.ShapeError,
      /Assign 'Assign': the value's shape \[3\] must equal the variable's shape \[2,2\]/,
    );
    throwsWith(() => inGraph(() => ts.assignAdd(new ts.Variable(ts.zeros([2])), zeros([2, 1]))), ts.ShapeError, /AssignAdd 'AssignAdd'.*\[2,1\].*\[2\]/);
  });

  test("at run time, for a value whose shape was only partly known", () => {
    throwsWith(
      () =>
        inGraph((g) => {
          const v = new ts.Variable(ts.zeros([2, 2]));
          const p = ts.placeholder({ dtype: "float32", shape: [null, 2] });
          return new ts.Session(g).run(ts.assign(v, p), new Map([[p, ts.zeros([3, 2])]]));
        }),
      ts.ShapeError,
      /Assign 'Assign': the value's shape \[3,2\] must equal the variable's shape \[2,2\]/,
    );
  });

  test("a value of another dtype names both dtypes", () => {
    throwsWith(() => inGraph(() => ts.assign(new ts.Variable(ts.zeros([2])), zeros([2], "float64"))), ts.DTypeError, /Assign 'Assign'.*float32 and float64/);
  });
});

describe("internal gradient ops refuse impossible shapes", () => {
  const def = (type: string) => ts.registeredOps().find((d) => d.type === type)!;

  test("SumToShape cannot sum a [1] up to [3]", () => {
    throwsWith(() => inGraph((g) => new ts.Operation(def("SumToShape"), g, [zeros([1]), zeros([3])], {}, "SumToShape")), ts.ShapeError, /SumToShape 'SumToShape': cannot sum shape \[1\] down to \[3\]/);
  });

  test("BroadcastLike cannot broadcast a [3] to [1]", () => {
    throwsWith(() => inGraph((g) => new ts.Operation(def("BroadcastLike"), g, [zeros([3]), zeros([1])], {}, "BroadcastLike")), ts.ShapeError, /BroadcastLike 'BroadcastLike': cannot broadcast \[3\] to \[1\]/);
  });
});
