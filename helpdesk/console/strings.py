"""The console's words in 日本語 (default) and English; templates and scripts both read them from here."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("ja", "en")
DEFAULT_LANGUAGE = "ja"

_TEXTS: dict[str, tuple[str, str]] = {
    # key: (日本語, English)
    "app.name": ("よりそい ヘルプデスク", "Yorisoi helpdesk"),
    "nav.queue": ("待ち行列", "Queue"),
    "nav.sites": ("拠点", "Sites"),
    "nav.kiosks": ("キオスク", "Kiosks"),
    "nav.staff": ("係員アカウント", "Staff accounts"),
    "nav.canned": ("定型文", "Canned replies"),
    "nav.logout": ("ログアウト", "Log out"),
    "nav.language": ("English", "日本語"),
    "nav.skip": ("本文へ移動", "Skip to content"),
    "nav.shortcuts": ("1文字ショートカット", "Single-key shortcuts"),
    "login.title": ("係員ログイン", "Staff login"),
    "login.login": ("ログイン名", "Login name"),
    "login.password": ("パスワード", "Password"),
    "login.submit": ("ログイン", "Log in"),
    "login.failed": ("ログイン名またはパスワードが違います。", "Wrong login name or password."),
    "login.throttled": (
        "失敗が続いたため一時的にログインできません。少し待ってください。",
        "Too many failed logins. Wait a little and try again.",
    ),
    "esc.path_empty": (
        "手順を選ぶ前に呼ばれました（スタート画面か手続きの一覧）。",
        "Help was asked before a procedure was chosen (start screen or catalog).",
    ),
    "esc.offer_other": ("キオスクが困っている様子を見つけました", "The kiosk noticed the resident was stuck"),
    "nav.password": ("パスワード変更", "Change password"),
    "password.title": ("パスワードの変更", "Change your password"),
    "password.required": (
        "管理者がパスワードをリセットしました。続ける前に、自分のパスワードを決めてください。",
        "Your administrator reset your password. Choose your own before you go on.",
    ),
    "password.current": ("いまのパスワード", "Current password"),
    "password.new": ("新しいパスワード", "New password"),
    "password.again": ("新しいパスワード（もう一度）", "New password (again)"),
    "password.hint": (
        "12文字以上（128文字まで）。よく使われるパスワードは使えません。関係のない言葉をいくつか並べると覚えやすく安全です。",
        "12 to 128 characters, not a common password. A few unrelated words are easy to remember and safe.",
    ),
    "password.mismatch": ("新しいパスワードが2回とも同じではありません。", "The two new passwords differ."),
    "password.submit": ("変更する", "Change password"),
    "password.done": ("パスワードを変更しました。", "Your password has been changed."),
    "login.no_console": ("このアカウントの役割ではコンソールを使えません。", "This account's role has no console."),
    "queue.title": ("待ち行列", "Queue"),
    "queue.site_filter": ("拠点で絞り込み", "Filter by site"),
    "queue.all_sites": ("すべての拠点", "All sites"),
    "queue.sound": ("新着の音", "Sound for new requests"),
    "queue.notify": ("デスクトップ通知", "Desktop notifications"),
    "queue.counts": ("件数", "Counts"),
    "queue.count_waiting": ("待ち", "Waiting"),
    "queue.count_claimed": ("対応中", "In progress"),
    "queue.count_breached": ("目標時間超過", "Over target time"),
    "queue.col_wait": ("待ち時間", "Waiting"),
    "queue.col_site": ("拠点", "Site"),
    "queue.col_kiosk": ("キオスク", "Kiosk"),
    "queue.col_procedure": ("手続き", "Procedure"),
    "queue.col_step": ("いまの画面", "Current step"),
    "queue.col_reason": ("理由", "Reason"),
    "queue.col_status": ("状態", "Status"),
    "queue.empty": ("待っている人はいません。", "Nobody is waiting."),
    "queue.open": ("開く", "Open"),
    "queue.live": ("リアルタイム更新中", "Live"),
    "queue.offline": ("接続が切れました。再接続しています…", "Disconnected. Reconnecting…"),
    "queue.new": ("新しい呼び出し", "New help request"),
    "queue.shortcuts": (
        "j/k: 選択移動  Enter: 開く  c: 対応する  /: 拠点の絞り込み  ?: ショートカット一覧",
        "j/k: move  Enter: open  c: claim  /: site filter  ?: shortcuts",
    ),
    "esc.title": ("呼び出し", "Help request"),
    "esc.back": ("待ち行列にもどる", "Back to the queue"),
    "esc.screen": ("利用者の画面（利用者の言語）", "The resident's screen (resident's language)"),
    "esc.path": ("たどった画面と時間", "Path and time per step"),
    "esc.reason": ("理由", "Reason"),
    "esc.offered": ("キオスクから声かけ", "Offered by the kiosk"),
    "esc.holder": ("担当", "Handled by"),
    "esc.nobody": ("まだ誰も対応していません", "Nobody has claimed it yet"),
    "esc.you": ("あなた", "you"),
    "esc.conversation": ("会話", "Conversation"),
    "esc.claim": ("対応する", "Claim"),
    "esc.release": ("待ち行列に戻す", "Release"),
    "esc.reply": ("返信", "Reply"),
    "esc.reply_label": ("利用者への返信", "Reply to the resident"),
    "esc.send": ("送信", "Send"),
    "esc.canned": ("定型文", "Canned replies"),
    "esc.send_step": ("この画面を送る", "Send this step"),
    "esc.step_label": ("送る画面", "Step to send"),
    "esc.coming": ("そちらへ行きます", "I'm coming to you"),
    "esc.transfer": ("引き継ぐ", "Transfer"),
    "esc.transfer_label": ("引き継ぎ先", "Transfer to"),
    "esc.resolve": ("完了", "Resolve"),
    "esc.outcome_label": ("結果", "Outcome"),
    "esc.lost_race": ("ほかの係員が先に対応を始めました: ", "Another staff member claimed it first: "),
    "esc.not_found": (
        "この呼び出しは見つからないか、担当拠点のものではありません。",
        "This request does not exist or is not of your sites.",
    ),
    "esc.ended": ("この呼び出しは終了しています。", "This request has ended."),
    "esc.limit": ("同時に対応できる件数の上限です。", "You already handle as many requests as allowed."),
    "esc.error": ("操作できませんでした: ", "That did not work: "),
    "esc.language": ("利用者の言語", "Resident's language"),
    "esc.waited": ("待ち時間", "Waiting"),
    "esc.seconds": ("秒", "s"),
    "esc.shortcuts": (
        "c: 対応  r: 返信  s: 画面を送る  m: 行きます  t: 引き継ぐ  l: 戻す  d: 完了  q: 待ち行列",
        "c: claim  r: reply  s: send step  m: coming  t: transfer  l: release  d: resolve  q: queue",
    ),
    "esc.question": ("質問", "Question"),
    "esc.caution": ("注意", "Caution"),
    "esc.done": ("送りました", "Sent"),
    "admin.sites": ("拠点", "Sites"),
    "admin.kiosks": ("キオスク", "Kiosks"),
    "admin.staff": ("係員アカウント", "Staff accounts"),
    "admin.canned": ("定型文", "Canned replies"),
    "admin.site_id": ("拠点ID", "Site id"),
    "admin.name": ("名前", "Name"),
    "admin.phone": ("代わりの電話番号", "Fallback phone"),
    "admin.sla": ("目標待ち時間（分）", "Target wait (minutes)"),
    "admin.hours": ("受付時間", "Opening hours"),
    "admin.add": ("追加", "Add"),
    "admin.save": ("保存", "Save"),
    "admin.kiosk_id": ("キオスクID", "Kiosk id"),
    "admin.site": ("拠点", "Site"),
    "admin.register": ("登録", "Register"),
    "admin.key_once": (
        "このキーは一度だけ表示されます。キオスクに設定してください:",
        "This key is shown only once. Put it on the kiosk:",
    ),
    "admin.revoke": ("無効にする", "Revoke"),
    "admin.rotate": ("キーを作り直す", "Rotate key"),
    "admin.last_seen": ("最終連絡", "Last seen"),
    "admin.online": ("オンライン", "Online"),
    "admin.offline": ("オフライン", "Offline"),
    "admin.revoked": ("無効", "Revoked"),
    "admin.version": ("バージョン", "Version"),
    "admin.outbox": ("未送信", "Outbox"),
    "admin.voice": ("音声", "Voice"),
    "admin.voice_ok": ("使える", "available"),
    "admin.voice_off": ("使えない", "unavailable"),
    "admin.login": ("ログイン名", "Login"),
    "admin.display_name": ("表示名", "Display name"),
    "admin.role": ("役割", "Role"),
    "admin.sites_of": ("担当拠点", "Sites"),
    "admin.password_once": ("初期パスワード（一度だけ表示）:", "Initial password (shown once):"),
    "admin.disable": ("無効にする", "Disable"),
    "admin.reset": ("パスワード再発行", "New password"),
    "admin.disabled": ("無効", "Disabled"),
    "admin.language": ("言語", "Language"),
    "admin.text": ("文", "Text"),
    "admin.all_sites": ("全拠点", "All sites"),
    "admin.remove": ("削除", "Remove"),
    "admin.done": ("保存しました", "Saved"),
    "admin.actions": ("操作", "Actions"),
    "admin.confirm": ("よろしいですか？", "Are you sure?"),
}

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "waiting": ("待ち", "Waiting"),
        "claimed": ("対応中", "In progress"),
        "resolved": ("完了", "Resolved"),
        "cancelled": ("取り消し", "Cancelled"),
        "abandoned": ("離席", "Abandoned"),
    },
    "reason": {
        "screen-unclear": ("画面がわからない", "Screen unclear"),
        "card-unreadable": ("カードが読めない", "Card unreadable"),
        "pin-forgotten": ("暗証番号を忘れた", "PIN forgotten"),
        "other": ("その他", "Other"),
    },
    "offer": {  # why the kiosk offered help on its own (`offer:<signal>` reasons)
        "time-on-step": ("同じ画面に長くいる", "Long time on one step"),
        "oscillation": ("行ったり来たりしている", "Going back and forth"),
        "repeat": ("何度も聞き直している", "Asked to repeat often"),
        "extend": ("時間延長をくり返している", "Extended the time often"),
        "voice": ("音声が伝わらない", "Voice not understood"),
        "idle-long": ("長いあいだ操作がない", "No touch for a long time"),
    },
    "outcome": {
        "solved": ("解決", "Solved"),
        "solved-in-person": ("対面で解決", "Solved in person"),
        "referred-to-counter": ("窓口へ案内", "Referred to the counter"),
        "not-solvable": ("解決できず", "Not solvable"),
        "other": ("その他", "Other"),
    },
    "system": {
        "claimed": ("係員が対応を始めました", "A staff member claimed it"),
        "released": ("待ち行列に戻りました", "Released to the queue"),
        "transferred": ("引き継がれました", "Transferred"),
        "resolved": ("完了しました", "Resolved"),
        "cancelled": ("利用者が取り消しました", "The resident cancelled"),
        "abandoned": ("キオスクとの連絡が途切れました", "The kiosk went silent"),
    },
    "sender": {
        "staff": ("係員", "Staff"),
        "kiosk": ("キオスク", "Kiosk"),
        "system": ("お知らせ", "System"),
    },
    "kind": {
        "send-step": ("画面を送りました", "Sent a step"),
        "coming": ("「そちらへ行きます」", "\u201cI'm coming\u201d"),
    },
    "where": {  # where the resident does the step (content `where`)
        "kiosk": ("このキオスクで", "On this kiosk"),
        "phone": ("自分のスマートフォンで", "On their own phone"),
        "card-reader": ("カードリーダーで", "With the card reader"),
        "convenience-store": ("コンビニで", "At a convenience store"),
        "pc": ("パソコンで", "On a computer"),
        "counter": ("窓口で", "At the counter"),
    },
    "language": {
        "ja": ("日本語", "Japanese"),
        "ja-easy": ("やさしい日本語", "Easy Japanese"),
        "en": ("英語", "English"),
    },
    "role": {
        "staff": ("係員", "Staff"),
        "trainer": ("講師", "Trainer"),
        "admin": ("管理者", "Admin"),
    },
}


def pick(language: str | None) -> str:
    """A supported console language (Japanese unless English was chosen)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def texts(language: str) -> dict[str, str]:
    """Every UI text in `language`."""
    index = LANGUAGES.index(pick(language))
    return {key: pair[index] for key, pair in _TEXTS.items()}


def labels(language: str) -> dict[str, dict[str, str]]:
    """Display labels of codes (status, reason, outcome, ...) in `language`."""
    index = LANGUAGES.index(pick(language))
    return {group: {code: pair[index] for code, pair in items.items()} for group, items in LABELS.items()}
