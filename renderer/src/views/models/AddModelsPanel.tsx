import { useEffect, useId, useState, type DragEvent, type FormEvent } from "react";
import type { PolytuneErrorShape } from "../../../../electron/shared/contract.js";
import { toErrorShape } from "../../../../electron/shared/PolytuneError.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { PathCompletionInput } from "./PathCompletionInput.js";

const s = strings.models;

/** Adding by path (works in every carrier), by drag-and-drop (desktop only), or by looking where other apps keep models. */
export function AddModelsPanel({ pathInputId }: { pathInputId: string }) {
  const api = useAppStore((st) => st.api);
  const adding = useAppStore((st) => st.adding);
  const addPaths = useAppStore((st) => st.addPaths);
  const discover = useAppStore((st) => st.discover);
  const locations = useAppStore((st) => st.locations);
  const locationsError = useAppStore((st) => st.locationsError);
  const loadLocations = useAppStore((st) => st.loadLocations);
  const connected = useAppStore((st) => st.connection.status === "open");
  // An empty library has one next step: typing a path. Put the cursor there.
  const emptyLibrary = useAppStore((st) => st.modelsLoaded && st.models.length === 0);
  const [path, setPath] = useState("");
  const [dragging, setDragging] = useState(false);
  const [dropNote, setDropNote] = useState<string | null>(null);
  // The native dialog exists only in the desktop app; the browser is not offered it.
  const desktop = api.desktop;
  const [browseError, setBrowseError] = useState<PolytuneErrorShape | null>(null);
  const browse = (kind: "file" | "folder") => {
    setBrowseError(null);
    desktop?.addModelsFromDialog(kind).catch((error: unknown) => setBrowseError(toErrorShape(error)));
  };
  const helpId = useId();
  const locationsId = useId();

  useEffect(() => {
    if (connected && !locations) void loadLocations();
  }, [connected, locations, loadLocations]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (path.trim()) void addPaths([path]);
  };

  const pathForFile = api.pathForFile;
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!pathForFile) return;
    const files = [...event.dataTransfer.files];
    const gguf = files.filter((f) => f.name.toLowerCase().endsWith(".gguf"));
    const ignored = files.filter((f) => !gguf.includes(f));
    setDropNote(ignored.length ? s.dropIgnored(ignored.map((f) => f.name).join(", ")) : null);
    const paths = gguf.map((f) => pathForFile(f)).filter(Boolean);
    if (paths.length) void addPaths(paths);
  };

  return (
    <section className="card add-panel" aria-labelledby="add-heading">
      <h2 id="add-heading">{s.addHeading}</h2>
      <form className="add-form" onSubmit={submit}>
        <label htmlFor={pathInputId}>{s.pathLabel}</label>
        <div className="input-row">
          <PathCompletionInput
            id={pathInputId}
            value={path}
            onChange={setPath}
            describedBy={helpId}
            placeholder={s.pathPlaceholder}
            autoFocus={emptyLibrary}
            label={s.pathSuggestions}
          />
          <button type="submit" className="primary" disabled={adding || !path.trim()}>
            {adding ? s.adding : s.add}
          </button>
          {desktop ? (
            <>
              <button type="button" disabled={adding} onClick={() => browse("file")}>
                {s.browseFiles}
              </button>
              <button type="button" disabled={adding} onClick={() => browse("folder")}>
                {s.browseFolder}
              </button>
            </>
          ) : null}
        </div>
        <p id={helpId} className="help">
          {s.pathHelp}
        </p>
        {browseError ? <ErrorMessage error={browseError} alert /> : null}
      </form>
      {pathForFile ? (
        <div
          className={dragging ? "drop-zone dragging" : "drop-zone"}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          {s.dropHere}
        </div>
      ) : null}
      {dropNote ? <p className="help warn">{dropNote}</p> : null}
      <div className="discover">
        <button type="button" disabled={adding} aria-describedby={locationsId} onClick={() => void discover()}>
          {adding ? s.discovering : s.discover}
        </button>
        <div id={locationsId} className="locations">
          {locations && locations.length ? (
            <>
              <span className="help">{s.locationsHeading}:</span>
              <ul className="plain-list location-list">
                {locations.map((loc) => (
                  <li key={`${loc.kind}:${loc.path}`}>
                    <span className="location-kind">{s.source[loc.kind]}</span> <span className="mono wrap">{loc.path}</span>{" "}
                    <span className="muted">— {loc.exists ? s.locationFound(loc.found) : s.locationMissing}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {locationsError ? <ErrorMessage error={locationsError} /> : null}
        </div>
      </div>
    </section>
  );
}
