// Receipt layout and its renderings (see receipt.h). One layout (LayoutReceipt) feeds the
// printer bytes, the e-mail text and the PDF, so the three always say the same thing; the HTML
// page is built from the same labels and amounts as a table.
#include "core/receipt.h"

#include <algorithm>

#include "core/encoding.h"
#include "core/money.h"

namespace shuyou::core {
namespace {

struct Labels {
  const char* title;
  const char* receipt_no;
  const char* time;
  const char* cashier;
  const char* items;
  const char* subtotal;
  const char* discounts;
  const char* discount_total;
  const char* line_discount;
  const char* returned;
  const char* total;
  const char* points_paid;
  const char* points_unit;
  const char* due;
  const char* tax;
  const char* tendered;
  const char* change;
  const char* member;
  const char* card;
  const char* tier;
  const char* points_earned;
  const char* points_balance;
  const char* stored_value;
  const char* returns;
  const char* kind_return;
  const char* kind_void;
  const char* points_taken_back;
  const char* points_given_back;
  const char* rule_tier;
  const char* rule_club;
  const char* rule_coupon;
  const char* status_partly;
  const char* status_returned;
  const char* status_voided;
  const char* cash;
  const char* bank_card;
  const char* mobile;
  const char* stored_value_pay;
  const char* subject;
  const char* html_lang;
};

constexpr Labels kZh{
    "购物小票", "单号", "时间", "收银员", "件数", "小计", "优惠明细", "优惠合计", "优惠", "已退",
    "合计", "积分抵扣", "积分", "应付", "含税", "实收", "找零", "会员", "卡号", "等级", "本次积分",
    "积分余额", "储值余额", "退货记录", "退货", "作废", "扣回积分", "退回积分", "会员等级", "会员俱乐部",
    "优惠券", "部分退货", "已全部退货", "已作废", "现金", "银行卡", "移动支付", "储值卡", "购物小票", "zh-CN"};

constexpr Labels kEn{
    "Sales receipt", "Receipt", "Time", "Cashier", "Items", "Subtotal", "Discounts", "Total discount",
    "Discount", "Returned", "TOTAL", "Paid with points", "pts", "Due", "Incl. tax", "Tendered", "Change",
    "Member", "Card", "Tier", "Points earned", "Points balance", "Stored value", "Returns", "Return",
    "Void", "Points taken back", "Points given back", "Member tier", "Club", "Coupon", "PARTLY RETURNED",
    "RETURNED", "VOID", "Cash", "Bank card", "Mobile pay", "Stored value", "Your receipt", "en"};

const Labels& L(std::string_view lang) { return lang == "en" ? kEn : kZh; }

const char* MethodLabel(const Labels& t, const std::string& method) {
  if (method == "cash") return t.cash;
  if (method == "card") return t.bank_card;
  if (method == "mobile") return t.mobile;
  if (method == "stored_value") return t.stored_value_pay;
  return nullptr;
}

// "tier:gold" → "会员等级 gold"; an unknown kind is shown as it is stored.
std::string RuleLabel(const Labels& t, const std::string& rule) {
  auto colon = rule.find(':');
  if (colon == std::string::npos) return rule;
  std::string kind = rule.substr(0, colon), value = rule.substr(colon + 1);
  const char* label = kind == "tier" ? t.rule_tier : kind == "club" ? t.rule_club : kind == "coupon" ? t.rule_coupon : nullptr;
  return label ? std::string(label) + " " + value : rule;
}

const char* StatusLabel(const Labels& t, const std::string& status) {
  if (status == "partly_returned") return t.status_partly;
  if (status == "returned") return t.status_returned;
  if (status == "voided") return t.status_voided;
  return nullptr;
}

int CellWidth(char32_t cp) { return cp < 0x80 ? 1 : 2; }

// Control characters (an ESC in a title must never reach the printer) become spaces.
std::u32string Clean(std::string_view utf8) {
  std::u32string cps = DecodeUtf8(utf8);
  for (char32_t& c : cps)
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029) c = U' ';
  return cps;
}

std::string Utf8(const std::u32string& cps) {
  std::string out;
  for (char32_t c : cps) AppendUtf8(out, c);
  return out;
}

int Width(const std::u32string& cps) {
  int w = 0;
  for (char32_t c : cps) w += CellWidth(c);
  return w;
}

// Splits `text` into lines of at most `cols` cells: at the last space when one falls in the
// second half of the line, else between characters (never inside one).
std::vector<std::u32string> Wrap(std::u32string text, int cols) {
  std::vector<std::u32string> out;
  while (!text.empty() && text.back() == U' ') text.pop_back();
  while (Width(text) > cols) {
    size_t fit = 0;
    int w = 0;
    while (fit < text.size() && w + CellWidth(text[fit]) <= cols) w += CellWidth(text[fit++]);
    if (fit == 0) fit = 1;  // cols < 2 and a wide character: print it anyway
    size_t cut = fit;
    for (size_t i = fit; i > fit / 2; --i)
      if (text[i - 1] == U' ' || text[i] == U' ') {
        cut = text[i - 1] == U' ' ? i - 1 : i;
        break;
      }
    if (cut == 0) cut = fit;
    std::u32string head = text.substr(0, cut);
    while (!head.empty() && head.back() == U' ') head.pop_back();
    out.push_back(head);
    size_t next = cut;
    while (next < text.size() && text[next] == U' ') ++next;
    text.erase(0, next);
  }
  if (!text.empty() || out.empty()) out.push_back(text);
  return out;
}

class Layout {
 public:
  explicit Layout(int cols) : cols_(cols) {}

  void Text(std::string_view s, ReceiptPrintLine::Align a = ReceiptPrintLine::kLeft, bool bold = false, int size = 0) {
    int cols = size == 2 ? cols_ / 2 : cols_;
    for (auto& part : Wrap(Clean(s), cols)) {
      ReceiptPrintLine l;
      l.text = Utf8(part);
      l.align = a;
      l.bold = bold;
      l.size = size;
      lines_.push_back(std::move(l));
    }
  }

  // `left` and `right` on one line, `right` flush with the edge; a long `left` wraps and `right`
  // ends its last line (or gets its own line when there is no room beside it).
  void Pair(std::string_view left, std::string_view right, bool bold = false, int size = 0) {
    int cols = size == 2 ? cols_ / 2 : cols_;
    std::u32string r = Clean(right);
    int rw = Width(r);
    auto parts = Wrap(Clean(left), cols);
    for (size_t i = 0; i + 1 < parts.size(); ++i) Push(Utf8(parts[i]), bold, size);
    std::u32string last = parts.back();
    if (Width(last) + (rw ? 1 + rw : 0) > cols) {
      Push(Utf8(last), bold, size);
      last.clear();
    }
    if (rw == 0) {
      if (!last.empty()) Push(Utf8(last), bold, size);
      return;
    }
    int pad = cols - Width(last) - rw;
    Push(Utf8(last) + std::string(size_t(std::max(pad, 0)), ' ') + Utf8(r), bold, size);
  }

  void Rule(char c = '-') { Push(std::string(size_t(cols_), c), false, 0); }

  void Qr(const std::string& number) {
    ReceiptPrintLine l;
    l.text = Utf8(Clean(number));
    l.align = ReceiptPrintLine::kCenter;
    l.qr = true;
    lines_.push_back(std::move(l));
  }

  std::vector<ReceiptPrintLine> Take() { return std::move(lines_); }

 private:
  void Push(std::string text, bool bold, int size) {
    ReceiptPrintLine l;
    l.text = std::move(text);
    l.bold = bold;
    l.size = size;
    lines_.push_back(std::move(l));
  }
  int cols_;
  std::vector<ReceiptPrintLine> lines_;
};

std::string Minus(const ReceiptDoc& d, int64_t v) { return ReceiptMoney(d, -v); }

std::string Label(const char* l) { return std::string(l) + ": "; }

}  // namespace

std::string ReceiptMoney(const ReceiptDoc& doc, int64_t minor) {
  if (auto c = FindCurrency(doc.currency)) return FormatMoney(Money(minor, *c));
  return std::to_string(minor) + " " + doc.currency;
}

int ReceiptColumns(int width_mm) { return width_mm == 58 ? 32 : width_mm == 80 ? 48 : 0; }

int PrintWidth(std::string_view utf8) { return Width(DecodeUtf8(utf8)); }

std::string MaskCardNumber(std::string_view card) {
  std::u32string cps = DecodeUtf8(card);
  for (size_t i = 0; i + 4 < cps.size(); ++i) cps[i] = U'*';
  return Utf8(cps);
}

std::vector<ReceiptPrintLine> LayoutReceipt(const ReceiptDoc& d, int cols, std::string_view lang) {
  const Labels& t = L(lang);
  cols = std::max(cols, 16);
  Layout o(cols);
  using A = ReceiptPrintLine;

  o.Text(d.store_name, A::kCenter, true, 1);
  if (!d.store_address.empty()) o.Text(d.store_address, A::kCenter);
  if (!d.store_phone.empty()) o.Text(d.store_phone, A::kCenter);
  o.Text(t.title, A::kCenter, true);
  o.Rule();
  o.Text(Label(t.receipt_no) + d.receipt_number);
  o.Text(Label(t.time) + d.local_time);
  if (!d.cashier.empty()) o.Text(Label(t.cashier) + d.cashier);
  if (const char* s = StatusLabel(t, d.status)) o.Text(std::string("*** ") + s + " ***", A::kCenter, true);
  o.Rule();

  int64_t items = 0;
  for (const auto& l : d.lines) {
    items += l.quantity;
    o.Text(l.title);
    std::string qty = std::to_string(l.quantity) + " x " + ReceiptMoney(d, l.unit_price);
    o.Pair("  " + (cols >= 48 && !l.barcode.empty() ? l.barcode + "  " : std::string()) + qty, ReceiptMoney(d, l.gross));
    if (l.discount != 0) o.Pair(std::string("  ") + t.line_discount, Minus(d, l.discount));
    if (l.returned_qty > 0) o.Pair(std::string("  ") + t.returned + " " + std::to_string(l.returned_qty), "");
  }
  o.Rule();
  o.Pair(t.items, std::to_string(items));
  o.Pair(t.subtotal, ReceiptMoney(d, d.subtotal));
  if (!d.discounts.empty()) {
    o.Text(Label(t.discounts));
    for (const auto& disc : d.discounts) {
      o.Pair("  " + RuleLabel(t, disc.rule), Minus(d, disc.amount));
      if (!disc.detail.empty()) o.Text("    " + disc.detail);
    }
  }
  if (d.discount_total != 0) o.Pair(t.discount_total, Minus(d, d.discount_total));
  o.Rule('=');
  o.Pair(t.total, ReceiptMoney(d, d.total), true, 2);
  if (d.points_redeemed != 0 || d.points_value != 0) {
    o.Pair(std::string(t.points_paid) + " (" + std::to_string(d.points_redeemed) + " " + t.points_unit + ")",
           Minus(d, d.points_value));
    o.Pair(t.due, ReceiptMoney(d, d.due), true);
  }
  if (d.tax_total != 0) o.Pair(t.tax, ReceiptMoney(d, d.tax_total));
  for (const auto& p : d.payments) {
    const char* m = MethodLabel(t, p.method);
    o.Pair(m ? m : p.method, ReceiptMoney(d, p.amount));
    if (p.tendered != p.amount && p.tendered != 0) o.Pair(std::string("  ") + t.tendered, ReceiptMoney(d, p.tendered));
  }
  if (d.change_due != 0) o.Pair(t.change, ReceiptMoney(d, d.change_due));

  if (d.member) {
    const auto& m = *d.member;
    o.Rule();
    if (!m.name.empty()) o.Pair(t.member, m.name);
    o.Pair(t.card, MaskCardNumber(m.card_number));
    if (!m.tier.empty()) o.Pair(t.tier, m.tier);
    o.Pair(t.points_earned, (m.points_earned > 0 ? "+" : "") + std::to_string(m.points_earned));
    o.Pair(t.points_balance, std::to_string(m.points_balance), true);
    if (m.stored_value_balance) o.Pair(t.stored_value, ReceiptMoney(d, *m.stored_value_balance));
  }

  if (!d.returns.empty()) {
    o.Rule();
    o.Text(Label(t.returns));
    for (const auto& r : d.returns) {
      o.Pair(std::string(r.kind == "void" ? t.kind_void : t.kind_return) + " " + r.local_time, Minus(d, r.refund_total));
      if (r.points_taken_back) o.Pair(std::string("  ") + t.points_taken_back, std::to_string(-r.points_taken_back));
      if (r.points_given_back) o.Pair(std::string("  ") + t.points_given_back, "+" + std::to_string(r.points_given_back));
    }
  }

  o.Rule();
  if (!d.receipt_number.empty()) o.Qr(d.receipt_number);
  if (!d.footer.empty()) o.Text(d.footer, A::kCenter);
  return o.Take();
}

namespace {

// One code point for a printer in GB18030 mode: its two-byte form, ASCII as is, "??" when it
// has no two-byte form (it still takes the two cells the layout gave it).
void AppendPrinterChar(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
    return;
  }
  if (cp == 0xA5) cp = 0xFFE5;  // ¥ has only a four-byte GB18030 form; the full-width ￥ prints
  std::string one;
  AppendUtf8(one, cp);
  auto gb = Utf8ToGb18030(one);
  if (gb && gb->size() == 2) out += *gb;
  else out += "??";
}

void AppendPrinterText(std::string& out, std::string_view utf8) {
  for (char32_t cp : DecodeUtf8(utf8)) AppendPrinterChar(out, cp);
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char32_t cp : Clean(s)) {
    switch (cp) {
      case U'&': out += "&amp;"; break;
      case U'<': out += "&lt;"; break;
      case U'>': out += "&gt;"; break;
      case U'"': out += "&quot;"; break;
      case U'\'': out += "&#39;"; break;
      default: AppendUtf8(out, cp);
    }
  }
  return out;
}

}  // namespace

std::string RenderEscPos(const ReceiptDoc& doc, int width_mm, std::string_view lang) {
  int cols = ReceiptColumns(width_mm);
  if (cols == 0) cols = 48;
  std::string out;
  out += "\x1b@";        // ESC @: initialise
  out += "\x1c&";        // FS &: Chinese (double-byte) character mode
  ReceiptPrintLine::Align align = ReceiptPrintLine::kLeft;
  out += std::string("\x1b" "a") + char(0);
  for (const auto& l : LayoutReceipt(doc, cols, lang)) {
    if (l.align != align) {
      out += std::string("\x1b" "a") + char(l.align);  // ESC a n
      align = l.align;
    }
    if (l.qr) {
      // GS ( k: model 2, module size, error correction M, store the data, print it.
      std::string data = l.text;
      size_t n = data.size() + 3;
      out += std::string("\x1d(k\x04\x00\x31\x41\x32\x00", 9);
      out += std::string("\x1d(k\x03\x00\x31\x43", 7) + char(cols >= 48 ? 6 : 5);
      out += std::string("\x1d(k\x03\x00\x31\x45\x31", 8);
      out += std::string("\x1d(k", 3) + char(n & 0xFF) + char((n >> 8) & 0xFF) + "\x31\x50\x30" + data;
      out += std::string("\x1d(k\x03\x00\x31\x51\x30", 8);
      out += '\n';
      AppendPrinterText(out, l.text);
      out += '\n';
      continue;
    }
    if (l.bold) out += "\x1b" "E\x01";  // ESC E 1
    if (l.size) out += std::string("\x1d!") + char(l.size == 2 ? 0x11 : 0x01);  // GS ! n
    if (l.size) out += std::string("\x1c!") + char(l.size == 2 ? 0x0C : 0x08);  // FS !: the same for Chinese
    AppendPrinterText(out, l.text);
    out += '\n';
    if (l.size) out += std::string("\x1d!\x00", 3) + std::string("\x1c!\x00", 3);
    if (l.bold) out += std::string("\x1b" "E\x00", 3);
  }
  if (align != ReceiptPrintLine::kLeft) out += std::string("\x1b" "a\x00", 3);
  out += "\x1b" "d\x03";  // ESC d 3: feed three lines
  out += std::string("\x1dV\x42\x00", 4);  // GS V 66 0: feed to the cutter and cut partially
  return out;
}

std::string RenderReceiptText(const ReceiptDoc& doc, std::string_view lang) {
  const int cols = 48;
  std::string out;
  for (const auto& l : LayoutReceipt(doc, cols, lang)) {
    int line_cols = l.size == 2 ? cols / 2 : cols;
    int pad = 0;
    if (l.align != ReceiptPrintLine::kLeft) {
      int free = std::max(0, line_cols - PrintWidth(l.text));
      pad = l.align == ReceiptPrintLine::kCenter ? free / 2 : free;
    }
    if (l.size == 2) {
      // Double width on paper: here the label and the amount spread over the full line.
      auto last_space = l.text.find_last_of(' ');
      auto first_space = l.text.find(' ');
      if (first_space != std::string::npos && last_space != std::string::npos) {
        std::string left = l.text.substr(0, first_space), right = l.text.substr(last_space + 1);
        int gap = std::max(1, cols - PrintWidth(left) - PrintWidth(right));
        out += left + std::string(size_t(gap), ' ') + right + "\n";
        continue;
      }
    }
    out += std::string(size_t(pad), ' ') + l.text + "\n";
  }
  return out;
}

std::string ReceiptEmailSubject(const ReceiptDoc& doc, std::string_view lang) {
  const Labels& t = L(lang);
  std::string s = Utf8(Clean(doc.store_name));
  if (lang == "en") return std::string(t.subject) + (s.empty() ? "" : " from " + s) + " (" + doc.receipt_number + ")";
  return (s.empty() ? "" : s + " ") + t.subject + " " + doc.receipt_number;
}

std::string RenderReceiptHtml(const ReceiptDoc& d, std::string_view lang) {
  const Labels& t = L(lang);
  std::string h;
  auto row = [&](const std::string& left, const std::string& right, const char* cls = "") {
    h += std::string("<tr class=\"") + cls + "\"><td>" + HtmlEscape(left) + "</td><td class=\"amt\">" +
         HtmlEscape(right) + "</td></tr>\n";
  };
  h += "<!DOCTYPE html>\n<html lang=\"" + std::string(t.html_lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + HtmlEscape(std::string(t.title) + " " + d.receipt_number) + "</title>\n";
  h += "<style>\n"
       "body{margin:0;background:#f4f4f4;font:14px/1.45 -apple-system,'PingFang SC','Microsoft YaHei',"
       "'Noto Sans CJK SC',sans-serif;color:#222}\n"
       ".receipt{box-sizing:border-box;max-width:80mm;margin:16px auto;padding:14px 12px;background:#fff;"
       "box-shadow:0 1px 4px rgba(0,0,0,.15)}\n"
       "h1{font-size:18px;text-align:center;margin:0 0 4px}\n"
       ".c{text-align:center;margin:0}\n.muted{color:#666;font-size:12px}\n"
       ".status{text-align:center;font-weight:700;color:#b00;border:2px solid #b00;margin:8px 0;padding:2px}\n"
       "table{width:100%;border-collapse:collapse}\ntd{vertical-align:top;padding:1px 0}\n"
       "td.amt{text-align:right;white-space:nowrap;padding-left:8px;font-variant-numeric:tabular-nums}\n"
       ".sub td{color:#555;font-size:12px;padding-left:10px}\n.sub td.amt{padding-left:8px}\n"
       ".total td{font-size:20px;font-weight:700;border-top:2px solid #222;padding-top:4px}\n"
       ".strong td{font-weight:700}\nhr{border:0;border-top:1px dashed #999;margin:8px 0}\n"
       "h2{font-size:13px;margin:6px 0 2px}\n"
       "@media print{@page{size:80mm auto;margin:0}body{background:#fff}"
       ".receipt{width:80mm;max-width:none;margin:0;box-shadow:none;padding:4mm 3mm}}\n"
       "</style>\n</head>\n<body>\n<main class=\"receipt\">\n";
  h += "<h1>" + HtmlEscape(d.store_name) + "</h1>\n";
  if (!d.store_address.empty()) h += "<p class=\"c muted\">" + HtmlEscape(d.store_address) + "</p>\n";
  if (!d.store_phone.empty()) h += "<p class=\"c muted\">" + HtmlEscape(d.store_phone) + "</p>\n";
  h += "<p class=\"c\"><strong>" + HtmlEscape(t.title) + "</strong></p>\n";
  if (const char* s = StatusLabel(t, d.status)) h += "<p class=\"status\">" + HtmlEscape(s) + "</p>\n";
  h += "<table>\n";
  row(t.receipt_no, d.receipt_number);
  row(t.time, d.local_time);
  if (!d.cashier.empty()) row(t.cashier, d.cashier);
  h += "</table>\n<hr>\n<table class=\"lines\">\n";
  int64_t items = 0;
  for (const auto& l : d.lines) {
    items += l.quantity;
    row(l.title, ReceiptMoney(d, l.gross));
    row((l.barcode.empty() ? "" : l.barcode + "  ") + std::to_string(l.quantity) + " × " + ReceiptMoney(d, l.unit_price), "",
        "sub");
    if (l.discount != 0) row(t.line_discount, Minus(d, l.discount), "sub");
    if (l.returned_qty > 0) row(std::string(t.returned) + " " + std::to_string(l.returned_qty), "", "sub");
  }
  h += "</table>\n<hr>\n<table>\n";
  row(t.items, std::to_string(items));
  row(t.subtotal, ReceiptMoney(d, d.subtotal));
  h += "</table>\n";
  if (!d.discounts.empty()) {
    h += "<h2>" + HtmlEscape(t.discounts) + "</h2>\n<table class=\"discounts\">\n";
    for (const auto& disc : d.discounts) {
      row(RuleLabel(t, disc.rule), Minus(d, disc.amount));
      if (!disc.detail.empty()) row(disc.detail, "", "sub");
    }
    h += "</table>\n";
  }
  h += "<table>\n";
  if (d.discount_total != 0) row(t.discount_total, Minus(d, d.discount_total));
  row(t.total, ReceiptMoney(d, d.total), "total");
  if (d.points_redeemed != 0 || d.points_value != 0) {
    row(std::string(t.points_paid) + " (" + std::to_string(d.points_redeemed) + " " + t.points_unit + ")",
        Minus(d, d.points_value));
    row(t.due, ReceiptMoney(d, d.due), "strong");
  }
  if (d.tax_total != 0) row(t.tax, ReceiptMoney(d, d.tax_total));
  for (const auto& p : d.payments) {
    const char* m = MethodLabel(t, p.method);
    row(m ? m : p.method, ReceiptMoney(d, p.amount));
    if (p.tendered != p.amount && p.tendered != 0) row(t.tendered, ReceiptMoney(d, p.tendered), "sub");
  }
  if (d.change_due != 0) row(t.change, ReceiptMoney(d, d.change_due));
  h += "</table>\n";
  if (d.member) {
    const auto& m = *d.member;
    h += "<hr>\n<table class=\"member\">\n";
    if (!m.name.empty()) row(t.member, m.name);
    row(t.card, MaskCardNumber(m.card_number));
    if (!m.tier.empty()) row(t.tier, m.tier);
    row(t.points_earned, (m.points_earned > 0 ? "+" : "") + std::to_string(m.points_earned));
    row(t.points_balance, std::to_string(m.points_balance), "strong");
    if (m.stored_value_balance) row(t.stored_value, ReceiptMoney(d, *m.stored_value_balance));
    h += "</table>\n";
  }
  if (!d.returns.empty()) {
    h += "<hr>\n<h2>" + HtmlEscape(t.returns) + "</h2>\n<table class=\"returns\">\n";
    for (const auto& r : d.returns) {
      row(std::string(r.kind == "void" ? t.kind_void : t.kind_return) + " " + r.local_time, Minus(d, r.refund_total));
      if (r.points_taken_back) row(t.points_taken_back, std::to_string(-r.points_taken_back), "sub");
      if (r.points_given_back) row(t.points_given_back, "+" + std::to_string(r.points_given_back), "sub");
    }
    h += "</table>\n";
  }
  if (!d.footer.empty()) h += "<hr>\n<p class=\"c\">" + HtmlEscape(d.footer) + "</p>\n";
  h += "</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace shuyou::core
