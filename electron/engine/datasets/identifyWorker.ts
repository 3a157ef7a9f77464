// A language-identification thread of an import: the import worker hands it batches of texts and gets
// their labels back in the same order, so identification (about half an import's work) runs beside
// parsing and storing, on as many cores as the machine lends (decision 0023).
import { parentPort } from "node:worker_threads";
import { toErrorShape } from "../../shared/PolytuneError.js";
import { loadLanguageIdentifier } from "../langid/loadLanguageIdentifier.js";
import type { IdentifyReply, IdentifyRequest } from "./LanguagePool.js";

const port = parentPort;
if (!port) throw new Error("identifyWorker.js runs as a worker thread of a Polytune import.");
port.on("message", (request: IdentifyRequest) => {
  loadLanguageIdentifier().then(
    (identifier) => {
      const languages: string[] = [];
      const confidences = new Float64Array(request.texts.length);
      request.texts.forEach((text, i) => {
        const guess = identifier.identify(text);
        languages.push(guess.language);
        confidences[i] = guess.confidence;
      });
      port.postMessage({ id: request.id, languages, confidences } satisfies IdentifyReply, [confidences.buffer]);
    },
    (error: unknown) => port.postMessage({ id: request.id, error: toErrorShape(error) } satisfies IdentifyReply),
  );
});
