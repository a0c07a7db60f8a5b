/**
 * Main's error details in Japanese. An AppError's message is the English detail (logs, audit, the
 * English UI); this table gives each message main writes its Japanese text, matched on the English
 * with the specifics (ids, names, amounts, dates) carried over. tests/core/error-texts.test.ts reads
 * every `new AppError(...)` / `refuse(...)` in main and fails when one has no Japanese text here.
 * Stripe's own text is never translated: it travels beside the detail as `stripeMessage`.
 */
import type { Language } from '../../preload/contract';

/** English status words that appear inside messages, as Japanese. */
const STATUS_JA: Record<string, string> = {
  active: '有効',
  withdrawn: '撤回済み',
  expired: '期限切れ',
  superseded: '訂正済み',
  open: '受付中',
  complete: '完了',
  succeeded: '成功',
  canceled: 'キャンセル済み',
  cancelled: 'キャンセル済み',
  failed: '失敗',
  pending: '保留中',
  processing: '処理中',
  requires_action: '操作待ち',
  unknown: '不明',
  declined: '拒否',
  refunded: '返金済み',
  'one-off': '1 回限り',
  'as-needed': '必要に応じて都度',
  recurring: '定期',
};

const WHAT_JA: Record<string, string> = {
  charge: '請求',
  refund: '返金',
  subscription: 'サブスクリプション',
  setup: 'Amazon Pay の登録',
  consent: '同意',
  consents: '同意',
  customer: '顧客',
  withdrawal: '撤回',
  withdrawals: '撤回',
  setups: 'Amazon Pay の登録',
  savedMethods: '保存済みの支払い方法',
  charges: '請求',
  refunds: '返金',
  subscriptions: 'サブスクリプション',
  'saved method': '保存済みの支払い方法',
  price: '価格',
};

interface Entry { en: RegExp; ja: string }

/** `{name}` in `ja` is the named group of `en`; `{status:x}` / `{what:x}` translate the word in group x. */
const ENTRIES: Entry[] = [
  // --- the browser, the allowlist
  { en: /^This address is not one the app may open in the browser\.$/, ja: 'このアドレスは、アプリがブラウザで開けるアドレスではありません。' },
  { en: /^The Checkout page address is not on the allowlist; it was not opened\.$/, ja: 'Checkout ページのアドレスが許可リストにないため、開きませんでした。' },
  { en: /^Stripe returned a Checkout address that is not on the allowlist \((?<url>.*)\); the session was closed\.$/s, ja: 'Stripe が許可リストにない Checkout アドレス（{url}）を返したため、セッションを閉じました。' },

  // --- signing in, staff
  { en: /^Sign in first\.$/, ja: '先にサインインしてください。' },
  { en: /^Only a manager may do this\.$/, ja: 'この操作はマネージャーだけが行えます。' },
  { en: /^That name and PIN do not match an active staff member\.$/, ja: '名前と PIN が、有効なスタッフのものと一致しません。' },
  { en: /^Too many wrong PINs: this account is locked until (?<until>.+) \(UTC\)\. Try again then, or ask a manager to reset the PIN\.$/, ja: 'PIN の誤りが多すぎるため、{until}（UTC）までロックされています。その後にもう一度試すか、マネージャーに PIN の再設定を依頼してください。' },
  { en: /^Too many sign-in attempts are already waiting\. Wait a moment and try again\.$/, ja: '処理待ちのサインインが多すぎます。少し待ってからもう一度試してください。' },
  { en: /^The first manager has already been set up\. Sign in instead\.$/, ja: '最初のマネージャーはすでに登録されています。サインインしてください。' },
  { en: /^There is no staff member (?<id>.+)\.$/, ja: 'スタッフ {id} は存在しません。' },
  { en: /^A staff member named "(?<name>.+)" already exists\. Names must be unique\.$/, ja: '「{name}」という名前のスタッフはすでにいます。名前は重複できません。' },
  { en: /^This is the last active manager: add or activate another manager first\.$/, ja: '有効なマネージャーはこの人だけです。先に別のマネージャーを追加するか、有効にしてください。' },

  // --- the dispatcher
  { en: /^There is no call named (?<name>.+)\.$/, ja: '{name} という呼び出しはありません。' },
  { en: /^The input could not be read\.$/, ja: '入力を読み取れませんでした。' },
  { en: /^The audit log cannot be written, so the app takes no changes until it can\. Nothing was changed by this call\. Check the disk and the data folder, then try again\.$/, ja: '監査ログに書き込めないため、書き込めるようになるまで変更を受け付けません。この操作では何も変更されていません。ディスクとデータフォルダを確認してから、もう一度試してください。' },
  { en: /^(?<channel>\S+) WAS carried out(?: \((?<ids>.*)\))?, but the audit log could not record it\. Do not repeat it\. The app takes no further changes until the audit log can be written again\.$/s, ja: '{channel} は実行されました（{ids}）が、監査ログに記録できませんでした。繰り返さないでください。監査ログに書き込めるようになるまで、これ以上の変更は受け付けません。' },
  { en: /^Something went wrong inside the app\. It has been logged\. The change may have been made in part: check before trying again\.$/, ja: 'アプリ内部で問題が起きました（記録済み）。変更が一部だけ行われた可能性があります。確認してからもう一度試してください。' },
  { en: /^Something went wrong inside the app\. It has been logged; this call changes nothing\.$/, ja: 'アプリ内部で問題が起きました（記録済み）。この操作では何も変更されません。' },

  // --- Stripe
  { en: /^Stripe could not be reached\. Nothing was lost; try again when the connection is back\.$/, ja: 'Stripe に接続できませんでした。失われたものはありません。接続が戻ってからもう一度試してください。' },
  { en: /^Stripe did not answer, so it is not known yet whether this went through\..*$/s, ja: 'Stripe から応答がなかったため、処理されたかどうかはまだわかりません。同じキーで再確認します（二重に処理されることはありません）。「もう一度確認」を押すか、アプリの起動時に確認されます。' },
  { en: /^Stripe did not answer, so it is not known yet whether the subscription was created\..*$/s, ja: 'Stripe から応答がなかったため、サブスクリプションが作成されたかどうかはまだわかりません。同じキーで再確認します（二重に作成されることはありません）。顧客の表示を更新する、同じ操作を繰り返す、またはアプリを再起動すると確認されます。' },
  { en: /^Stripe did not create the subscription: .*$/s, ja: 'Stripe はサブスクリプションを作成しませんでした。' },

  // --- customers
  { en: /^There is no customer with id (?<id>.+)\.$/, ja: 'ID {id} の顧客は存在しません。' },
  { en: /^A customer with the e-mail (?<email>.+) already exists \((?<name>.+)\)\.$/s, ja: 'メールアドレス {email} の顧客はすでに登録されています（{name}）。' },
  { en: /^A customer with the e-mail (?<email>.+) already exists\.$/, ja: 'メールアドレス {email} の顧客はすでに登録されています。' },
  { en: /^Another customer already has the e-mail (?<email>.+) \((?<name>.+)\)\.$/s, ja: 'メールアドレス {email} は、別の顧客（{name}）が使っています。' },
  { en: /^The Stripe customer (?<id>\S+) with this e-mail is already linked to another local customer\.$/, ja: 'このメールアドレスの Stripe 顧客 {id} は、すでに別の顧客に結び付けられています。' },
  { en: /^Unknown time zone "(?<zone>.*)"\.$/, ja: '「{zone}」というタイムゾーンはありません。' },
  { en: /^The records of customer (?<id>.+) could not be read or recovered \(see the store warning\)\.$/, ja: '顧客 {id} の記録を読み取ることも復元することもできませんでした（保存データの警告を参照してください）。' },
  { en: /^There is no (?<what>[\w ]+) with id (?<id>.+)\.$/, ja: 'ID {id} の{what:what}は存在しません。' },

  // --- consents and terms
  { en: /^There is no consent (?<id>\S+) for customer (?<customer>.+)\.$/, ja: '顧客 {customer} の同意 {id} は存在しません。' },
  { en: /^There is no consent (?<id>\S+) of this customer to correct\.$/, ja: '訂正する同意 {id} は、この顧客にはありません。' },
  { en: /^There is no consent (?<id>.+)\.$/, ja: '同意 {id} は存在しません。' },
  { en: /^There is no consent with id (?<id>\S+): record the customer's consent first\.$/, ja: 'ID {id} の同意はありません。先にお客様の同意を記録してください。' },
  { en: /^The consent is (?<status>\w+); record a new consent before saving a payment method\.$/, ja: 'この同意は{status:status}です。支払い方法を保存する前に、新しい同意を記録してください。' },
  { en: /^The terms changed since they were shown .*$/s, ja: '表示した後で規約の内容（店舗情報、顧客、条件）が変わりました。もう一度表示し、新しい文面にお客様の同意をもらってください。' },
  { en: /^The typed name does not match the customer's name "(?<name>.*)"\.$/s, ja: '入力された氏名が、顧客名「{name}」と一致しません。' },
  { en: /^params\.(?<field>[\w.]+): (?<message>.*)$/s, ja: '条件の「{field}」を確認してください。' },

  // --- withdrawal
  { en: /^This consent has already been withdrawn, and everything resting on it has been detached or cancelled\.$/, ja: 'この同意はすでに撤回され、これに基づくものはすべて解除またはキャンセルされています。' },
  { en: /^The withdrawal is recorded and no charge can be made under this consent, but (?<methods>\d+) payment method\(s\) still to detach and (?<subs>\d+) subscription\(s\) still to cancel at Stripe\. Stripe could not be reached: withdraw again when the connection is back to finish\.$/, ja: '撤回は記録され、この同意ではもう請求できません。ただし Stripe で、支払い方法 {methods} 件の解除とサブスクリプション {subs} 件のキャンセルが残っています。Stripe に接続できませんでした。接続が戻ったら、もう一度撤回して完了させてください。' },
  { en: /^The withdrawal is recorded and no charge can be made under this consent, but (?<methods>\d+) payment method\(s\) still to detach and (?<subs>\d+) subscription\(s\) still to cancel at Stripe\. Stripe said: .*$/s, ja: '撤回は記録され、この同意ではもう請求できません。ただし Stripe で、支払い方法 {methods} 件の解除とサブスクリプション {subs} 件のキャンセルが残っています（Stripe が処理を受け付けませんでした）。' },

  // --- setups
  { en: /^There is no setup with id (?<id>.+)\.$/, ja: 'ID {id} の Amazon Pay の登録はありません。' },
  { en: /^(?<name>.+) already has an Amazon Pay setup waiting for the customer.*no new consent is needed\.$/s, ja: '{name} 様には、お客様の操作を待っている Amazon Pay の登録がすでにあります。顧客ページから開いて、続ける・リンクをもう一度表示する・キャンセルするのいずれかを選んでください。新しい同意は必要ありません。' },
  { en: /^This setup is (?<status>\w+); only an open setup can be opened again\.$/, ja: 'この登録は{status:status}です。もう一度開けるのは受付中の登録だけです。' },

  // --- charges, refunds, receipts
  { en: /^There is no charge with id (?<id>.+)\.$/, ja: 'ID {id} の請求はありません。' },
  { en: /^There is no refund with id (?<id>.+)\.$/, ja: 'ID {id} の返金はありません。' },
  { en: /^Only a succeeded charge can be refunded.*$/s, ja: '返金できるのは成功した請求だけです。' },
  { en: /^Nothing is left to refund on this charge of (?<amount>.+)\.$/, ja: 'この {amount} の請求には、返金できる残額がありません。' },
  { en: /^Only (?<left>.+) of this charge of (?<amount>.+) is left to refund; (?<asked>.+) is too much\.$/, ja: 'この {amount} の請求で返金できるのは残り {left} です。{asked} は多すぎます。' },
  { en: /^There is no receipt for this charge: it is (?<status>\w+), not succeeded\.$/, ja: 'この請求は{status:status}のため、領収書はありません（成功した請求だけに発行されます）。' },
  { en: /^This request key was already used for a different (?<what>\w+)\. Open the \w+ form again to make a new one\.$/, ja: 'このリクエストキーは別の{what:what}にすでに使われています。フォームを開き直して、新しく作成してください。' },
  { en: /^Charge (?<id>\S+) refers to a consent that is not in the customer's records\.$/, ja: '請求 {id} が参照している同意が、顧客の記録にありません。' },
  { en: /^This page of payments is no longer available: start again from the first page\.$/, ja: 'この入出金のページはもう表示できません。最初のページからやり直してください。' },

  // --- charge rules (what the consent allows)
  { en: /^This consent was withdrawn on (?<date>[\d-]+); it can no longer be charged\.$/, ja: 'この同意は {date} に撤回されたため、請求できません。' },
  { en: /^This consent starts on (?<date>[\d-]+); it cannot be charged before then\.$/, ja: 'この同意の開始日は {date} です。それより前には請求できません。' },
  { en: /^This consent ended on (?<date>[\d-]+); it can no longer be charged\.$/, ja: 'この同意は {date} に終了したため、請求できません。' },
  { en: /^This consent's (?<edge>start|end) date .*$/s, ja: 'この同意の日付が暦にない日になっているため、請求できません。お客様と訂正した同意を記録してください。' },
  { en: /^This payment method was not saved under this consent; only a method saved with the consent can be charged\.$/, ja: 'この支払い方法は、この同意で保存されたものではありません。請求できるのは、同意とともに保存された支払い方法だけです。' },
  { en: /^This payment method was detached on (?<date>[\d-]+); it can no longer be charged\.$/, ja: 'この支払い方法は {date} に解除されたため、請求できません。' },
  { en: /^This consent is for (?<frequency>[\w-]+) payments; a subscription needs a consent to recurring payments\.$/, ja: 'この同意は{status:frequency}の支払いに対するものです。サブスクリプションには定期支払いへの同意が必要です。' },
  { en: /^This consent is for a single payment, and it has already been charged; a further charge needs a new consent\.$/, ja: 'この同意は 1 回限りの支払いに対するもので、すでに請求済みです。さらに請求するには新しい同意が必要です。' },
  { en: /^This consent is in (?<currency>[A-Z]{3}); a charge in (?<asked>[A-Z]{3}) is not allowed\.$/, ja: 'この同意の通貨は {currency} です。{asked} では請求できません。' },
  { en: /^This consent allows a fixed amount of exactly (?<amount>.+) per charge; (?<asked>.+) is not allowed\.$/, ja: 'この同意で請求できるのは 1 回あたりちょうど {amount} です。{asked} は請求できません。' },
  { en: /^This consent allows .+ of at most (?<max>.+); (?<asked>.+) is over that limit\.$/, ja: 'この同意で請求できるのは 1 回あたり最大 {max} です。{asked} は上限を超えています。' },

  // --- subscriptions, prices, training clock
  { en: /^There is no subscription with id (?<id>.+)\.$/, ja: 'ID {id} のサブスクリプションはありません。' },
  { en: /^There is no price with id (?<id>.+)\.$/, ja: 'ID {id} の価格はありません。' },
  { en: /^This subscription was never created at Stripe.*$/s, ja: 'このサブスクリプションは Stripe で作成されていません。' },
  { en: /^Subscription (?<id>\S+) refers to price (?<price>\S+), which is not in the store\.$/, ja: 'サブスクリプション {id} が参照している価格 {price} が、保存データにありません。' },
  { en: /^Subscription (?<id>\S+) has an unknown status "(?<status>.*)"\.$/, ja: 'サブスクリプション {id} の状態「{status}」が不明です。' },
  { en: /^The clock can only be moved in training mode.*$/s, ja: '時計を進められるのはトレーニングモードだけです。' },

  // --- the data folder
  { en: /^The shop file (?<file>.+) is damaged and none of its backups could be read\. It was kept aside at (?<aside>.+?)\. Nothing was overwritten\..*$/s, ja: '店舗ファイル {file} が壊れていて、バックアップも読み取れませんでした。{aside} に退避しました。上書きしたものはありません。マネージャーが shop.json（またはその .backup-N ファイル）の正常なコピーを戻してから、もう一度起動してください。' },
  { en: /^This data folder was written by Mandate Desk 0\.1 and must be converted, but neither (?<file>\S+) nor any of its backups can be read \((?<problems>.*)\)\..*$/s, ja: 'このデータフォルダは Mandate Desk 0.1 で作られたため変換が必要ですが、{file} もそのバックアップも読み取れません（{problems}）。何も変更していません。正常なファイルを戻してから、もう一度起動してください。' },
  { en: /^The old audit file (?<file>.+) and its backups cannot be read, so the folder was not converted\. Nothing was changed\.$/s, ja: '古い監査ファイル {file} もそのバックアップも読み取れないため、フォルダを変換しませんでした。何も変更していません。' },
  { en: /^The old file has a (?<what>\w+) \((?<id>.+)\) whose customer is not in it; the folder was not converted\. Nothing was changed\.$/, ja: '古いファイルにある{what:what}（{id}）の顧客が見つからないため、フォルダを変換しませんでした。何も変更していません。' },
  { en: /^Converting the data folder failed.*$/s, ja: 'データフォルダの変換に失敗しました。古いファイルはそのまま残してあります。' },
  { en: /^Converting the audit log failed.*$/s, ja: '監査ログの変換に失敗しました。古いファイルはそのまま残してあります。' },
  // --- disputes, other desks, importing from Stripe
  { en: /^This charge is disputed \((?<status>[a-z_]+)\); it cannot be refunded while the bank decides, or after\.$/, ja: 'この請求はチャージバック中（{status}）のため、カード会社の判断中もその後も返金できません。' },
  { en: /^This charge was made at another desk, which keeps its consent: print the receipt there\.$/, ja: 'この請求は別の端末で行われ、同意もその端末にあります。領収書はその端末で印刷してください。' },
  { en: /^This charge has no dispute to answer\.$/, ja: 'この請求には回答するチャージバックがありません。' },
  { en: /^This dispute can no longer be answered: its status is (?<status>[a-z_]+)\.$/, ja: 'このチャージバックにはもう回答できません（状態: {status}）。' },
  { en: /^The deadline to answer this dispute has passed\.$/, ja: 'このチャージバックの回答期限を過ぎています。' },
  { en: /^The consent this charge relied on \((?<id>.*)\) is not on this desk, so its evidence cannot be sent from here\.$/, ja: 'この請求の根拠となった同意（{id}）がこの端末にないため、ここから証拠を送れません。' },
  { en: /^Stripe's events could not be read: (?<detail>.*)$/s, ja: 'Stripe のイベントを読み込めませんでした: {detail}' },
  { en: /^Stripe could not be reached: (?<detail>.*)$/s, ja: 'Stripe に接続できませんでした: {detail}' },
  { en: /^The Stripe customer (?<id>\S+) was deleted\.$/, ja: 'Stripe の顧客 {id} は削除されています。' },
  { en: /^A customer with the e-mail (?<email>\S+) already exists here \((?<name>.*)\); it is not linked to (?<id>\S+)\.$/s, ja: 'メールアドレス {email} の顧客（{name}）がこの端末にすでにあり、{id} とは結び付いていません。' },
  { en: /^The customer (?<id>\S+) was imported but is not in the index\.$/, ja: '顧客 {id} は取り込まれましたが、索引にありません。' },
  // --- e-mail
  { en: /^Give the sender address the e-mails come from\.$/, ja: 'メールの送信元アドレスを入力してください。' },
  {
    en: /^The trusted certificate is not a certificate in PEM form \(the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----\)\.$/,
    ja: '信頼する証明書が PEM 形式の証明書ではありません（-----BEGIN CERTIFICATE----- から -----END CERTIFICATE----- までのテキストを貼り付けてください）。',
  },
  { en: /^The password could not be kept safely, so nothing was saved: (?<detail>.*)$/s, ja: 'パスワードを安全に保管できなかったため、何も保存していません: {detail}' },
  { en: /^Set the SMTP server and the sender address, and save them, before sending a test e-mail\.$/, ja: 'テストメールを送る前に、SMTP サーバーと送信元アドレスを設定して保存してください。' },
  { en: /^No SMTP server is set in Settings, so the link cannot be e-mailed\.$/, ja: '設定画面で SMTP サーバーが設定されていないため、リンクをメールで送れません。' },
  { en: /^There is no setup (?<id>\S+)\.$/, ja: 'ID {id} の Amazon Pay の登録はありません。' },
  { en: /^This setup is no longer open; start a new one to send its link\.$/, ja: 'この Amazon Pay の登録はもう受付中ではありません。リンクを送るには新しく始めてください。' },
  { en: /^The customer has no e-mail address\.$/, ja: 'この顧客にはメールアドレスがありません。' },
  { en: /^No SMTP server is set in Settings\.$/, ja: '設定画面で SMTP サーバーが設定されていません。' },
];

function fill(template: string, groups: Record<string, string | undefined>): string {
  return template.replace(/\{(?:(status|what):)?(\w+)\}/g, (_, kind: string | undefined, name: string) => {
    const value = groups[name] ?? '';
    if (kind === 'status') return STATUS_JA[value] ?? value;
    if (kind === 'what') return WHAT_JA[value] ?? value;
    return value;
  });
}

/** The detail of an English AppError message in `language`, or null when there is none. */
export function errorDetail(message: string, language: Language): string | null {
  if (language === 'en') return message;
  for (const entry of ENTRIES) {
    const match = entry.en.exec(message);
    if (match) return fill(entry.ja, match.groups ?? {}).replace('（）', '');
  }
  return null;
}

/** Every language's detail of a message (what a CallError carries). */
export function errorDetails(message: string): Partial<Record<Language, string>> {
  const ja = errorDetail(message, 'ja');
  return ja ? { en: message, ja } : { en: message };
}
