/** The TwiML parser the call simulator uses (firmware-sim/twiml.ts), for tests to assert documents by their verbs. */
export { find, findAll, parseTwiml, spoken, type TwimlNode, verbs } from "../../firmware-sim/twiml.ts";
