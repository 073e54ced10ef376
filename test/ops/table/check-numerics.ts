/** OP_TABLE entry of checkNumerics (src/ops/check-numerics.ts). */
import * as ts from "tensorslow";
import { seededRandom } from "../../helpers/gradcheck.js";
import { type OpEntry, mk, unaryCases } from "./kit.js";

export const CHECK_NUMERICS_OPS: Record<string, OpEntry<any>> = {
  CheckNumerics: {
    type: "CheckNumerics",
    build: ([x]) => ts.checkNumerics(x!, "table"),
    ref: ([x]) => mk(x!.shape, x!.data.slice()),
    // Samples of its own: drawing from the shared generator would change every later entry's values.
    cases: unaryCases((shape) => {
      const own = seededRandom(15);
      return { shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 4 * own() - 2) };
    }),
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32"],
  },
};
