"""The General Assembly page as a script, for ``st.Page`` (and ``AppTest.switch_page``)."""

from unsc_app.assembly import assembly_page

assembly_page()
