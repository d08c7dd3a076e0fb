"""班主任审核、以班为单位上报、学校审核 (seed 一.5 (3)–(4)): reviewing applications
class by class and the school's decision on a class submission."""
