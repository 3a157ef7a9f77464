import { useEffect, useState } from "react";
import { strings } from "../i18n/strings.js";
import { useAppStore } from "../store/AppStoreProvider.js";

const s = strings.connection;

/** Says plainly when the engine cannot be reached, and when it will try again. */
export function ConnectionBanner() {
  const connection = useAppStore((st) => st.connection);
  const api = useAppStore((st) => st.api);
  // Re-render twice a second while closed so the countdown moves; the time itself is read at render.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (connection.status !== "closed") return;
    const timer = setInterval(() => setTick((n) => n + 1), 500);
    return () => clearInterval(timer);
  }, [connection.status]);
  const now = Date.now();

  if (connection.status === "open") return null;
  if (connection.status === "connecting" && connection.attempt === 0) {
    return (
      <div className="banner banner-info" role="status">
        {s.connecting}
      </div>
    );
  }
  if (connection.status === "closed" && connection.restarted) {
    return (
      <div className="banner banner-error" role="alert">
        <p>{s.restarted}</p>
        <p>{s.restartedHint}</p>
      </div>
    );
  }
  const retry = connection.status === "closed" ? Math.max(0, Math.ceil((connection.retryAt - now) / 1000)) : 0;
  const everOpened = connection.status === "closed" ? connection.everOpened : true;
  return (
    <div className="banner banner-error" role="alert">
      <p>{everOpened ? s.retryIn(retry) : s.cannotReach(location.host)}</p>
      {!everOpened ? <p>{s.cannotReachHint}</p> : null}
      <button type="button" onClick={() => api.reconnectNow()}>
        {s.retryNow}
      </button>
    </div>
  );
}
