import { redactUrl } from '../../../services/core/security';

describe('redactUrl', () => {
  it('masks the password of a broker or SMTP URL and keeps the account name', () => {
    expect(redactUrl('mqtt://user:pass@broker.example:1883')).toBe('mqtt://user:***@broker.example:1883');
    expect(redactUrl('mqtts://gateway@broker.example')).toBe('mqtts://gateway@broker.example');
    expect(redactUrl('smtp://u:p%40ss@10.0.0.1:25/path')).toBe('smtp://u:***@10.0.0.1:25/path');
    expect(redactUrl('smtp://u:p%40ss@10.0.0.1:25/path')).not.toMatch(/p%40ss|pass/);
  });

  it('masks the value of every query parameter: robot webhooks name their secrets as they like', () => {
    const out = redactUrl('https://h.example/hook?password=a1&token=b2&key=c3&access_token=d4&sign=e5');
    expect(out).toBe('https://h.example/hook?password=***&token=***&key=***&access_token=***&sign=***');
    expect(out).not.toMatch(/a1|b2|c3|d4|e5/);
  });

  it('leaves a URL without secrets as it is and does not echo something unparsable', () => {
    expect(redactUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
    expect(redactUrl('not a url with user:pass@host')).toBe('[unparsable url]');
  });
});
