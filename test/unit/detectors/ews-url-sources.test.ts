/** ews-javascript-api: the service Url from a .env file, a NestJS ConfigService, a module of another file. */
import { run } from '../harness/detector-tester';

const IMPORTS = "import { ExchangeService, ExchangeVersion, WebCredentials, Uri } from 'ews-javascript-api';";
const service = (url: string) => `${IMPORTS}
const service = new ExchangeService(ExchangeVersion.Exchange2013);
service.Credentials = new WebCredentials('app@contoso.com', process.env.EWS_PASSWORD!);
service.Url = new Uri(${url});
export default service;
`;
const nest = `${IMPORTS}
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
@Injectable()
export class EwsService {
  private readonly service = new ExchangeService(ExchangeVersion.Exchange2016);
  constructor(private readonly config: ConfigService) {
    this.service.Credentials = new WebCredentials(this.config.get('EWS_USER')!, this.config.get('EWS_PASSWORD')!);
    this.service.Url = new Uri(this.config.get('EWS_URL')!);
  }
}
`;

run('ews-javascript-api-password-auth', {
  valid: [
    { code: service('process.env.EWS_URL!'), env: { '.env': 'EWS_URL=https://mail.contoso.com/EWS/Exchange.asmx\n' }, name: 'on-premises Url from .env' },
    { code: nest, env: { '.env': 'EWS_URL=https://exchange.contoso.local/EWS/Exchange.asmx\nEWS_PASSWORD=x\n' }, name: 'on-premises Url from ConfigService' },
    { code: `declare const settings: { ewsUrl: string };\n${service("settings.ewsUrl")}`, name: "unknown Url: not guessed" },
  ],
  invalid: [
    { code: service('process.env.EWS_URL!'), env: { '.env': 'EWS_URL=https://outlook.office365.com/EWS/Exchange.asmx\n' }, errors: [{ host: 'outlook.office365.com', related: ['EWS URL on outlook.office365.com'] }] },
    { code: nest, env: { '.env': 'EWS_URL=https://outlook.office365.com/EWS/Exchange.asmx\nEWS_PASSWORD=x\n' }, name: 'Url from ConfigService (.env)', errors: [{ host: 'outlook.office365.com' }] },
    {
      code: `import { settings } from './settings';\n${service('settings.ews.url')}`,
      files: { 'settings.ts': "export const settings = { ews: { url: 'https://outlook.office365.us/EWS/Exchange.asmx' } };\n" },
      name: 'Url from a config module (GCC High)',
      errors: [{ host: 'outlook.office365.us' }],
    },
  ],
});
