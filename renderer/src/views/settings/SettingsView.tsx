import { useEffect } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { ThemeSwitch } from "../../components/ThemeSwitch.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";

const s = strings.settings;

/** What this installation is and what it can run on (app.info and system.doctor). */
export function SettingsView() {
  const info = useAppStore((st) => st.info);
  const infoError = useAppStore((st) => st.infoError);
  const doctor = useAppStore((st) => st.doctor);
  const doctorError = useAppStore((st) => st.doctorError);
  const loadDoctor = useAppStore((st) => st.loadDoctor);
  const connected = useAppStore((st) => st.connection.status === "open");

  useEffect(() => {
    if (connected) void loadDoctor();
  }, [connected, loadDoctor]);

  return (
    <div className="view settings-view">
      <h1>{s.title}</h1>
      <section className="card" aria-labelledby="settings-appearance">
        <h2 id="settings-appearance">{s.appearance}</h2>
        <ThemeSwitch />
      </section>
      <section className="card" aria-labelledby="settings-about">
        <h2 id="settings-about">{s.about}</h2>
        {infoError ? <ErrorMessage error={infoError} /> : null}
        {info ? (
          <dl className="facts">
            <dt>{s.version}</dt>
            <dd>{info.version}</dd>
            <dt>{s.home}</dt>
            <dd className="mono wrap">{info.home}</dd>
            <dt>{s.database}</dt>
            <dd className="mono wrap">{info.database}</dd>
            <dt>{s.carrier}</dt>
            <dd>{s.carriers[info.carrier]}</dd>
          </dl>
        ) : !infoError ? (
          <p className="muted">{strings.common.loading}</p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="settings-system" aria-busy={!doctor && !doctorError}>
        <h2 id="settings-system">{s.system}</h2>
        {doctorError ? <ErrorMessage error={doctorError} /> : null}
        {doctor ? (
          <>
            <dl className="facts">
              <dt>{s.platform}</dt>
              <dd>{doctor.platform}</dd>
              <dt>{s.node}</dt>
              <dd>{doctor.node}</dd>
              <dt>{s.llamaCpp}</dt>
              <dd>{doctor.llamaCppRelease ?? strings.common.unknown}</dd>
              <dt>{s.trainer}</dt>
              <dd data-testid="doctor-trainer">
                <span className={doctor.trainer.available ? "badge badge-ok" : "badge badge-off"}>{doctor.trainer.available ? strings.common.yes : strings.common.no}</span> {doctor.trainer.reason}
              </dd>
            </dl>
            <h3>{s.backends}</h3>
            <table className="data-table compact">
              <thead>
                <tr>
                  <th scope="col">{s.backendName}</th>
                  <th scope="col">{s.backendAvailable}</th>
                  <th scope="col">{s.backendDevices}</th>
                  <th scope="col">{s.backendReason}</th>
                </tr>
              </thead>
              <tbody>
                {doctor.backends.map((b) => (
                  <tr key={b.name}>
                    <th scope="row">{s.backendNames[b.name]}</th>
                    <td>
                      <span className={b.available ? "badge badge-ok" : "badge badge-off"}>
                        {b.available ? strings.common.yes : strings.common.no}
                      </span>
                    </td>
                    <td>{b.devices.length ? b.devices.join(", ") : strings.common.unknown}</td>
                    <td>{b.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : !doctorError ? (
          <p className="muted">{s.checking}</p>
        ) : null}
      </section>
    </div>
  );
}
