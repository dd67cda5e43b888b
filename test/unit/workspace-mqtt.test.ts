// The MQTT workspace setting: validation by field, the broker password sealed apart (AES-256-GCM with
// the key file), never in workspace.json, never in the view.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARAMS } from '../../main/api/params-schema.js';

const validateParams = (method: 'settings.update', params: unknown) => PARAMS[method].parse(params, '');
import { brokerUrlProblem, brokerUrlView, parseBrokerUrl } from '../../main/workspace/broker-url.js';
import { DEFAULT_MQTT, validateMqtt, validateWorkspace } from '../../main/workspace/model.js';
import { keyFileCipher } from '../../main/workspace/secrets.js';
import { WorkspaceFile } from '../../main/workspace/workspace-file.js';

const dir = () => mkdtempSync(join(tmpdir(), 'vigil-mqtt-ws-'));

describe('broker URLs', () => {
  it('parse host, port (1883 / 8883 by default), TLS, user and password', () => {
    expect(parseBrokerUrl('mqtt://10.0.0.2')).toEqual({ host: '10.0.0.2', port: 1883, tls: false, username: null, password: null });
    expect(parseBrokerUrl('mqtts://u%40x:p%3Aw@broker.lan:9000')).toEqual({ host: 'broker.lan', port: 9000, tls: true, username: 'u@x', password: 'p:w' });
    expect(parseBrokerUrl('mqtts://broker.lan').port).toBe(8883);
    expect(parseBrokerUrl('mqtt://[::1]:1884').host).toBe('::1');
  });
  it('are refused with a message naming the fix', () => {
    expect(brokerUrlProblem('http://broker:1883')).toMatch(/must start with mqtt:\/\/ or mqtts:\/\/ .*not 'http:\/\/'/);
    expect(brokerUrlProblem('broker:1883')).toMatch(/must start with mqtt:\/\//);
    expect(brokerUrlProblem('nonsense')).toMatch(/is not a URL/);
    expect(brokerUrlProblem('mqtt://broker:99999')).toMatch(/is not a URL/);
    expect(brokerUrlProblem('mqtt://broker/topic')).toMatch(/without a path/);
    expect(brokerUrlProblem('mqtt://broker:1883')).toBeNull();
  });
  it('show a stored password as ***', () => {
    expect(brokerUrlView('mqtt://cam@broker:1883', true)).toBe('mqtt://cam:***@broker:1883');
    expect(brokerUrlView('mqtt://cam@broker:1883', false)).toBe('mqtt://cam@broker:1883');
  });
});

describe('the mqtt setting', () => {
  it('defaults to off under the prefix vigil with Vigil payloads', () => {
    expect(validateWorkspace({}).mqtt).toEqual(DEFAULT_MQTT);
    expect(DEFAULT_MQTT).toEqual({ enabled: false, url: '', topicPrefix: 'vigil', format: 'vigil' });
  });
  it('names the field of each bad value', () => {
    expect(() => validateMqtt({ enabled: true })).toThrow(/^mqtt\.url must name the broker/);
    expect(() => validateMqtt({ url: 'tcp://b:1883' })).toThrow(/^mqtt\.url must start with mqtt:\/\//);
    expect(() => validateMqtt({ url: 42 })).toThrow(/^mqtt\.url must be a text/);
    expect(() => validateMqtt({ topicPrefix: 'a/#' })).toThrow(/^mqtt\.topicPrefix must be up to 200 characters without '\+', '#'/);
    expect(() => validateMqtt({ topicPrefix: '/vigil' })).toThrow(/^mqtt\.topicPrefix/);
    expect(() => validateMqtt({ format: 'kafka' })).toThrow(/^mqtt\.format must be 'vigil' or 'nvmsgconv'/);
    expect(() => validateMqtt({ enabled: 'yes' })).toThrow(/^mqtt\.enabled must be true or false/);
    expect(validateMqtt({ enabled: true, url: ' mqtt://b ', topicPrefix: 'site/vigil', format: 'nvmsgconv' })).toEqual({
      enabled: true,
      url: 'mqtt://b',
      topicPrefix: 'site/vigil',
      format: 'nvmsgconv',
    });
  });
  it('is checked by the API schema before the workspace sees it', () => {
    expect(() => validateParams('settings.update', { mqtt: { format: 'kafka' } })).toThrow(/mqtt\.format/);
    expect(() => validateParams('settings.update', { mqtt: { password: 7 } })).toThrow(/mqtt\.password/);
    expect(validateParams('settings.update', { mqtt: { password: null, enabled: false } })).toEqual({ mqtt: { password: null, enabled: false } });
  });
});

describe('the broker password', () => {
  function open(home: string, keyFile: string) {
    return new WorkspaceFile({ home, cipher: keyFileCipher(keyFile, home) });
  }

  it('is sealed apart, never in workspace.json or the view, and kept when the masked URL comes back', () => {
    const home = dir();
    const keyFile = join(dir(), 'secret.key');
    const ws = open(home, keyFile);
    ws.updateSettings({ mqtt: { enabled: true, url: 'mqtt://vigil:s3cret-pw@broker.lan:1884', format: 'nvmsgconv' } });
    const file = readFileSync(join(home, 'workspace.json'), 'utf8');
    expect(file).not.toContain('s3cret-pw');
    expect(JSON.parse(file).mqtt).toEqual({ enabled: true, url: 'mqtt://vigil@broker.lan:1884', topicPrefix: 'vigil', format: 'nvmsgconv' });
    const sealed = readFileSync(join(home, 'service-secrets.json'), 'utf8');
    expect(sealed).not.toContain('s3cret-pw');
    expect(sealed).toMatch(/"mqtt-broker": "aes256gcm:/);
    const view = ws.mqttView();
    expect(view).toEqual({ enabled: true, url: 'mqtt://vigil:***@broker.lan:1884', topicPrefix: 'vigil', format: 'nvmsgconv', hasPassword: true });
    expect(JSON.stringify(view)).not.toContain('s3cret-pw');
    expect(ws.brokerPassword()).toBe('s3cret-pw');
    // The renderer sends the masked URL back with another change: the password stays.
    ws.updateSettings({ mqtt: { url: view.url, topicPrefix: 'site-a' } });
    expect(ws.brokerPassword()).toBe('s3cret-pw');
    expect(ws.get().mqtt.topicPrefix).toBe('site-a');
    // A restart reads it back with the same key.
    expect(open(home, keyFile).brokerPassword()).toBe('s3cret-pw');
    // Set apart, then removed.
    ws.updateSettings({ mqtt: { password: 'other' } });
    expect(ws.brokerPassword()).toBe('other');
    ws.updateSettings({ mqtt: { password: null } });
    expect(ws.brokerPassword()).toBeNull();
    expect(ws.mqttView()).toMatchObject({ url: 'mqtt://vigil@broker.lan:1884', hasPassword: false });
  });

  it('in a hand-edited workspace.json is moved to the secret store at start', () => {
    const home = dir();
    const keyFile = join(dir(), 'secret.key');
    writeFileSync(join(home, 'workspace.json'), JSON.stringify({ version: 1, cameras: [], mqtt: { enabled: true, url: 'mqtt://u:hand-typed@b:1883' } }));
    const ws = open(home, keyFile);
    expect(ws.brokerPassword()).toBe('hand-typed');
    expect(readFileSync(join(home, 'workspace.json'), 'utf8')).not.toContain('hand-typed');
    expect(readFileSync(join(home, 'workspace.json.last-good'), 'utf8')).not.toContain('hand-typed');
  });

  it('a bad setting changes nothing', () => {
    const home = dir();
    const ws = open(home, join(dir(), 'secret.key'));
    expect(() => ws.updateSettings({ mqtt: { enabled: true, url: 'http://x' } })).toThrow(/^mqtt\.url must start with mqtt:\/\//);
    expect(ws.get().mqtt).toEqual(DEFAULT_MQTT);
  });
});
