/** Registers the backends that ship with the library; the JS reference backend is always there. */
import { registerBackend } from "./backend.js";
import { jsBackend } from "./js/index.js";

registerBackend(jsBackend);

export { getBackend, listBackends, registerBackend, setBackend, type Backend, type Kernel } from "./backend.js";
export { jsBackend } from "./js/index.js";
