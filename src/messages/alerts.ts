// Alerts to administrators about delivery problems, in Chinese. Pure.

export const ALERT_MAIL_SUBJECT = '【系统告警】物业投诉受理台';

export function alertText(text: string): string {
  return `⚠️ ${text}`;
}

export function blockedAlert(o: { name: string | null; unit: string; county: string } | undefined, error: string): string {
  return `承办人${o ? ` ${o.name ?? ''}(${o.unit}/${o.county})` : ''} 已屏蔽机器人，消息无法送达，请电话联系并重新绑定。(${error})`;
}

export function deliveryFailedAlert(kind: string, recipient: string, error: string): string {
  return `发送失败（${kind} → ${recipient}）：${error}`;
}

export const STORE_FULL_SUBJECT = '【系统告警】数据库或磁盘已满';

export function storeFullAlert(error: string): string {
  return `⚠️ 物业投诉受理台：数据库或磁盘已满，新来信暂不能保存（发件方会稍后重试）。请立即清理磁盘或扩容。(${error.slice(0, 300)})`;
}
