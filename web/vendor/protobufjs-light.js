/**
 * protobufjs ("light" build) as an ES module for the page: ts.io.exportOnnx imports
 * "protobufjs/light.js", which in Node is the package's CommonJS entry and in the page maps here
 * through the import map. The package's browser bundle is a script that defines the global
 * `protobuf`; this module runs it and exports that object as the default export, as Node's
 * CommonJS interop does.
 */
import "../../node_modules/protobufjs/dist/light/protobuf.js";

export default globalThis.protobuf;
