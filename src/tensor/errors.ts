/**
 * Error classes shared by every layer. Each message is written for a person: it names the node
 * (or file) and the shapes, dtypes or values involved.
 */

export class TensorSlowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that cannot work together: incompatible matmul, broadcast failure, bad reshape. */
export class ShapeError extends TensorSlowError {}
/** A dtype that an op or a feed cannot take. */
export class DTypeError extends TensorSlowError {}
/** A value that is not a tensor: ragged nested arrays, non-numbers. */
export class ValueError extends TensorSlowError {}
/** Misuse of a graph: nodes of two graphs mixed, unknown names, a finalized graph. */
export class GraphError extends TensorSlowError {}
/** A feed that is missing, or contradicts the placeholder it feeds. */
export class FeedError extends TensorSlowError {}
/** A gradient that cannot be built: missing gradient function, wrong count or shape. */
export class GradientError extends TensorSlowError {}
/** Data that is not what it claims: a corrupt or truncated file, a missing data set, ragged batches. */
export class DataError extends ValueError {}
/** Something looked up that is not there: a checkpoint file, or a variable missing from one (TensorFlow's NotFoundError). */
export class NotFoundError extends DataError {}
/** A NaN or an infinity where a check asked for finite values (TensorFlow's InvalidArgumentError of CheckNumerics). */
export class NumericsError extends TensorSlowError {}
