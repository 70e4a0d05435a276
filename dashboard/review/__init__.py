"""Customer review packs: one customer, one period, as HTML, PDF or XLSX (issue #6).

content.build() gathers the figures; layout words them; to_html, to_pdf and to_xlsx lay them
out; packs.render() picks the writer from the file's suffix.
"""
