// Beast's separately compiled sources, built once for the project.
#include <boost/beast/src.hpp>
