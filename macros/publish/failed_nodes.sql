{#- The names of the nodes of a run that failed (a model or snapshot error, a failing data or
    unit test, anything skipped because of one): the run is not published when any did.
    A test that only warns does not count. -#}
{% macro failed_nodes(results) -%}
    {%- set failed = [] -%}
    {%- for result in results if result.status in ['error', 'fail', 'runtime error', 'skipped'] -%}
        {%- do failed.append(result.node.name) -%}
    {%- endfor -%}
    {{ return(failed) }}
{%- endmacro %}
