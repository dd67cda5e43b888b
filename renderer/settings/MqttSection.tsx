// Settings → MQTT: the broker events and counts are published to (docs/MQTT.md), its user and password
// (sealed like camera passwords: never shown back, left empty to keep), the topic prefix and payload
// format, and the publisher's state from system.status. An API error shows under the field it names.
import { useEffect, useState } from 'react';
import type { MqttPayloadFormat, MqttSettingsInput, MqttStatus, WorkspaceView } from '../../main/api/contract';
import { MQTT_PAYLOAD_FORMATS } from '../../main/api/registries';
import { errorText, type ApiClient } from '../api/client';
import { ErrorLine, FieldError, fieldProblem } from './helpers';
import { joinBrokerUser, mqttStatusWords, splitBrokerUser } from './mqtt-fields';

/** How the form names each payload format: typed by MqttPayloadFormat, so a new format needs a title here. */
const FORMAT_TITLES: Record<MqttPayloadFormat, string> = {
  vigil: "Vigil's JSON",
  nvmsgconv: 'DeepStream nvmsgconv (full schema)',
};

/** The form's fields an API error can be pinned on ('mqtt.url' → 'url'). */
const FIELDS = ['enabled', 'url', 'topicPrefix', 'format', 'password'] as const;
type Field = (typeof FIELDS)[number];

function useMqttStatus(api: ApiClient): { status: MqttStatus | null; now: number } {
  const [state, setState] = useState<{ status: MqttStatus | null; now: number }>({ status: null, now: Date.now() });
  useEffect(() => {
    let live = true;
    const load = () =>
      api.call('system.status', {}).then(
        (s) => live && setState({ status: s.mqtt, now: Date.now() }),
        () => live && setState({ status: null, now: Date.now() }),
      );
    void load();
    const id = setInterval(load, 1000);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [api]);
  return state;
}

export function MqttSection({ api, workspace, onSaved }: { api: ApiClient; workspace: WorkspaceView; onSaved(w: WorkspaceView): void }) {
  const m = workspace.mqtt;
  const initial = splitBrokerUser(m.url);
  const [enabled, setEnabled] = useState(m.enabled);
  const [address, setAddress] = useState(initial.address);
  const [username, setUsername] = useState(initial.username);
  const [password, setPassword] = useState('');
  const [forget, setForget] = useState(false);
  const [topicPrefix, setTopicPrefix] = useState(m.topicPrefix);
  const [format, setFormat] = useState<MqttPayloadFormat>(m.format);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const { status, now } = useMqttStatus(api);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const patch: MqttSettingsInput = { enabled, url: joinBrokerUser(address, username), topicPrefix, format };
    if (password) patch.password = password;
    else if (forget) patch.password = null;
    try {
      onSaved(await api.call('settings.update', { mqtt: patch }));
      setPassword('');
      setForget(false);
      setFieldErrors({});
      setError(null);
      setSaved(true);
    } catch (err) {
      setSaved(false);
      const p = fieldProblem(err);
      const field = p && FIELDS.find((f) => p.field === `mqtt.${f}` || p.field.endsWith(`.mqtt.${f}`));
      if (p && field) {
        setFieldErrors({ [field]: p.text });
        setError(null);
      } else {
        setFieldErrors({});
        setError(`cannot save the MQTT settings: ${errorText(err)}`);
      }
    }
  };
  const fieldError = (f: Field) => <FieldError text={fieldErrors[f]} testId={`mqtt-field-error-${f}`} />;
  return (
    <section className="panel wide" aria-label="MQTT">
      <h2>MQTT</h2>
      <p className="hint">
        Publishes every zone and line event, each track&apos;s start, best snapshot and end, the retained counts and the engine&apos;s state to a broker.
      </p>
      <p className={`mqtt-status state-${status?.state ?? 'unknown'}`} role="status" data-testid="mqtt-status" data-state={status?.state ?? 'unknown'}>
        {mqttStatusWords(status, now)}
      </p>
      <form className="form-grid fields-top" data-testid="mqtt-form" onSubmit={submit} noValidate>
        <label className="toggle">
          <input type="checkbox" data-testid="mqtt-enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> publish to the broker
          {fieldError('enabled')}
        </label>
        <label>
          Broker URL
          <input data-testid="mqtt-url" value={address} placeholder="mqtt://localhost:1883" onChange={(e) => setAddress(e.target.value)} />
          {fieldError('url')}
        </label>
        <label>
          User name
          <input data-testid="mqtt-username" value={username} placeholder="none" autoComplete="off" onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            data-testid="mqtt-password"
            value={password}
            autoComplete="new-password"
            placeholder={m.hasPassword ? 'stored' : 'none'}
            onChange={(e) => setPassword(e.target.value)}
          />
          {m.hasPassword && (
            <span className="hint" data-testid="mqtt-password-hint">
              A password is stored (never shown): leave empty to keep it.
            </span>
          )}
          {fieldError('password')}
        </label>
        {m.hasPassword && (
          <label className="toggle">
            <input type="checkbox" data-testid="mqtt-forget-password" checked={forget} onChange={(e) => setForget(e.target.checked)} /> remove the stored
            password
          </label>
        )}
        <label>
          Topic prefix
          <input data-testid="mqtt-prefix" value={topicPrefix} onChange={(e) => setTopicPrefix(e.target.value)} />
          {fieldError('topicPrefix')}
        </label>
        <label>
          Event payload
          <select data-testid="mqtt-format" value={format} onChange={(e) => setFormat(MQTT_PAYLOAD_FORMATS.find((f) => f === e.target.value) ?? format)}>
            {MQTT_PAYLOAD_FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_TITLES[f]}
              </option>
            ))}
          </select>
          {fieldError('format')}
        </label>
        <div>
          <button type="submit" data-testid="mqtt-save">
            Save
          </button>
          {saved && <span className="form-ok"> saved</span>}
        </div>
      </form>
      <ErrorLine error={error} testId="mqtt-error" />
    </section>
  );
}
