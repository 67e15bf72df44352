package org.featviz.report;

import com.google.gson.Gson;
import com.google.gson.JsonElement;

/**
 * Text made safe for HTML pages: {@link #escape} for element text and quoted attribute values,
 * {@link #scriptJson} for data inside a {@code <script type="application/json">} element (where
 * HTML escapes do not apply, but {@code </script>} would end the element).
 */
public final class Html {
  /**
   * Gson's default writer is HTML-safe: it writes {@code < > & = '} as {@code \\u003c} and so on,
   * so no JSON it writes can close a script element or start a comment there.
   */
  private static final Gson SAFE = new Gson();

  private Html() {}

  /** {@code s} with {@code & < > " '} as character references. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** {@code json} as text that a script element can hold and {@code JSON.parse} reads back. */
  public static String scriptJson(JsonElement json) {
    return SAFE.toJson(json);
  }
}
