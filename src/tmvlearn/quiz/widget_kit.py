"""ipywidgets for one view, whose widgets share their layout and style models.

Every ipywidgets control brings two models of its own, a ``Layout`` and a style (``ButtonStyle``,
``DescriptionStyle``...): each is opened in the kernel, sent to the browser and built there, and most
of them say nothing. A lesson's quiz of 30 questions made 400 widget models, 149 of them Layouts.
ipywidgets lets widgets share a layout ("Widget Styling": "The layout property can be shared between
multiple widgets and assigned directly") and, the same way, a style: the browser builds one view of
the shared model for each widget shown. :class:`WidgetKit` hands its widgets one model per distinct
setting, so the quiz opens about a third of the models.

The price: a shared layout or style must never be changed in place (``widget.layout.display = ...``
would change every widget that shares it). The quiz changes only widgets' own traits (``value``,
``disabled``, ``description``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["WidgetKit"]


class WidgetKit:
    """Stands in for the ``ipywidgets`` module where one view makes its widgets.

    ``kit.Button(description="Check")``, ``kit.Layout(width="auto")``,
    ``kit.Dropdown(..., style={"description_width": "initial"})`` make what ipywidgets would, except
    that a ``layout`` or ``style`` given as settings (or not given) is the kit's one shared model with
    those settings. Anything else is taken from ipywidgets unchanged.
    """

    def __init__(self) -> None:
        import ipywidgets

        self._ipywidgets = ipywidgets
        self._models: dict[tuple, Any] = {}
        self._makers: dict[str, Any] = {}

    def _shared(self, model_class: type, settings: dict[str, Any]) -> Any:
        key = (model_class, tuple(sorted(settings.items())))
        model = self._models.get(key)
        if model is None:
            model = self._models[key] = model_class(**settings)
        return model

    def Layout(self, **settings: Any) -> Any:  # noqa: N802  (named as ipywidgets names it)
        return self._shared(self._ipywidgets.Layout, settings)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        maker = self._makers.get(name)
        if maker is None:
            maker = self._makers[name] = self._maker(name)
        return maker

    def _maker(self, name: str) -> Any:
        w = self._ipywidgets
        widget_class = getattr(w, name)
        if not (isinstance(widget_class, type) and issubclass(widget_class, w.DOMWidget)):
            return widget_class
        style_trait = widget_class.class_traits().get("style")

        def make(*args: Any, **kwargs: Any) -> Any:
            layout = kwargs.get("layout")
            if not isinstance(layout, w.Layout):
                kwargs["layout"] = self._shared(w.Layout, dict(layout or {}))
            if style_trait is not None and not isinstance(kwargs.get("style"), w.Widget):
                kwargs["style"] = self._shared(style_trait.klass, dict(kwargs.get("style") or {}))
            return widget_class(*args, **kwargs)

        make.__name__ = make.__qualname__ = name
        return make
