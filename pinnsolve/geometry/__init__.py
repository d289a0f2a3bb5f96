"""Domains: basic shapes (box, ball, polygon), their combinations (``a - b``, ``a | b``, ``a & b``)
and any of them times a time interval, and the samplers that draw points of them. A new shape
is one module with a :class:`Geometry` subclass, exported here."""
from pinnsolve.geometry.ball import Ball, Disk
from pinnsolve.geometry.base import BoundaryValue, Geometry, UnitDraw, coordinate_names, split_by_measure
from pinnsolve.geometry.box import Box
from pinnsolve.geometry.csg import Combination, Difference, Intersection, Union
from pinnsolve.geometry.polygon import Polygon
from pinnsolve.geometry.time_product import TimeProduct

__all__ = [
    "Ball", "BoundaryValue", "Box", "Combination", "Difference", "Disk", "Geometry", "Intersection", "Polygon",
    "TimeProduct", "Union", "UnitDraw", "coordinate_names", "split_by_measure",
]
